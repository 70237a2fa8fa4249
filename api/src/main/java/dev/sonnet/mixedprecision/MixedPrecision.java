package dev.sonnet.mixedprecision;

import dev.sonnet.module.Layer;
import dev.sonnet.tensor.DType;
import java.util.EnumSet;
import java.util.Set;

/**
 * Sonnet 2's mixed precision: a global mode (a dtype, or none) and {@link #modes} wrappers that run
 * a layer in that dtype when the layer allows it.
 *
 * <p>When the mode is on and in the wrapper's valid types, a call
 *
 * <ol>
 *   <li>casts the floating input to the mode's dtype (e.g. {@link DType#BFLOAT16});
 *   <li>reads every floating variable as a copy in that dtype ({@link
 *       dev.sonnet.tensor.VariableReadGetter}), so the variables themselves stay float32 ("master
 *       weights") and their gradients arrive in float32 through the casts;
 *   <li>runs the layer, whose operations compute in float32 and round each result to 16 bits (see
 *       {@link DType});
 *   <li>casts a floating output back to float32, always (as Sonnet does).
 * </ol>
 *
 * <p><b>The first-call rule</b> (the cause of Sonnet issue #238): the first call through a wrapper
 * runs <em>uncast</em>, whatever the mode, so that a module builds its variables in float32 from a
 * float32 input; only later calls are cast. Call the model once (for example on one example) before
 * training if the first real step must run in 16 bits. Each wrapper counts its own first call;
 * wrapping a module twice gives two first calls.
 *
 * <pre>{@code
 * Layer mlp = MixedPrecision.modes(Set.of(DType.FLOAT32, DType.BFLOAT16), new MLP(new int[] {1024, 10}));
 * MixedPrecision.enable(DType.BFLOAT16);
 * mlp.call(x);          // first call: float32, creates float32 variables
 * Tensor y = mlp.call(x); // bf16 inputs and weights, float32 output
 * try (var s = MixedPrecision.scope(DType.FLOAT32)) {
 *   mlp.call(x);        // float32 here
 * }
 * }</pre>
 *
 * <p>The mode is global, not per thread (as in Sonnet): set it once, before training.
 */
public final class MixedPrecision {
  private static volatile DType mode;

  private MixedPrecision() {}

  /** Sets the mode: wrapped layers whose valid types include {@code dtype} run in it. */
  public static void enable(DType dtype) {
    if (dtype == null || !dtype.isFloating()) {
      throw new IllegalArgumentException(
          "MixedPrecision.enable: the mode must be a floating dtype (bf16, f16, f32, f64), not "
              + dtype
              + "; use disable() to turn it off");
    }
    mode = dtype;
  }

  /** Turns mixed precision off: wrapped layers run as they are. */
  public static void disable() {
    mode = null;
  }

  /** The current mode, or null when off. */
  public static DType mode() {
    return mode;
  }

  /** Sets the mode to {@code dtype} (null: off) until the returned scope closes. */
  public static Scope scope(DType dtype) {
    DType previous = mode;
    if (dtype == null) {
      disable();
    } else {
      enable(dtype);
    }
    return new Scope(previous);
  }

  /** Restores the mode that was set before {@link #scope} when closed. */
  public static final class Scope implements AutoCloseable {
    private final DType previous;

    private Scope(DType previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      mode = previous;
    }
  }

  /**
   * {@code layer} wrapped so that it runs in the mode's dtype when the mode is one of {@code
   * validTypes} (after its first call; see the class comment).
   */
  public static Layer modes(Set<DType> validTypes, Layer layer) {
    if (validTypes == null || validTypes.isEmpty() || layer == null) {
      throw new IllegalArgumentException(
          "MixedPrecision.modes: needs valid types and a layer, got " + validTypes + ", " + layer);
    }
    return new MixedPrecisionLayer(EnumSet.copyOf(validTypes), layer);
  }
}
