package dev.sonnet.mixedprecision;

import dev.sonnet.module.Layer;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.VariableReadGetter;
import java.util.Set;

/** What {@link MixedPrecision#modes} returns: the casts around one wrapped layer. */
final class MixedPrecisionLayer implements Layer {
  private final Set<DType> validTypes;
  private final Layer layer;
  private volatile boolean seen;

  MixedPrecisionLayer(Set<DType> validTypes, Layer layer) {
    this.validTypes = validTypes;
    this.layer = layer;
  }

  @Override
  public Tensor call(Tensor x) {
    DType mode = MixedPrecision.mode();
    if (mode == null || !validTypes.contains(mode)) {
      return layer.call(x);
    }
    if (!seen) {
      Tensor y = layer.call(x);
      seen = true;
      return y;
    }
    Tensor in = x.dtype().isFloating() ? x.cast(mode) : x;
    Tensor y;
    // Sonnet's way: a custom variable getter that casts every floating variable read.
    try (VariableReadGetter reads =
        VariableReadGetter.open(
            v -> v.dtype().isFloating() && v.dtype() != mode, value -> value.cast(mode))) {
      y = layer.call(in);
    }
    return y.dtype().isFloating() ? y.cast(DType.FLOAT32) : y;
  }

  /** The wrapped layer. */
  Layer wrapped() {
    return layer;
  }

  @Override
  public String toString() {
    return "MixedPrecision.modes(" + validTypes + ", " + layer + ")";
  }
}
