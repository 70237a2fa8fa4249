package dev.sonnet.ops;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * Max or average pooling on channels-last data: input {@code x [batch, in..., C]}, output {@code
 * [batch, out..., C]}, each output the max or mean of its window; padding is never counted ({@link
 * PoolKind}). The gradient is {@link PoolGradOp}.
 *
 * @param window the window's spatial sizes
 * @param params stride and explicit padding (dilation 1, one group)
 */
public record PoolOp(PoolKind kind, int[] window, ConvParams params) implements Op {

  public PoolOp {
    window = window.clone();
    if (window.length != params.rank()) {
      throw new IllegalArgumentException(
          "PoolOp: window "
              + Arrays.toString(window)
              + " and "
              + params
              + " disagree on the number of spatial dimensions");
    }
  }

  @Override
  public int[] window() {
    return window.clone();
  }

  @Override
  public String name() {
    return ConvSupport.name(kind == PoolKind.MAX ? "max_pool" : "avg_pool", params.rank());
  }

  /** Checks {@code x} and returns its pooling geometry. */
  static ConvGeometry geometry(String op, int[] window, ConvParams params, Tensor x) {
    ConvSupport.checkInputRank(
        op,
        x.shape(),
        window.length,
        DataFormat.CHANNELS_LAST,
        "a window of " + Arrays.toString(window));
    if (!x.dtype().isFloating()) {
      throw new DTypeException(
          op
              + ": input is "
              + x.dtype()
              + "; pooling needs f32 or f64, "
              + "convert with .cast(DType.FLOAT32)");
    }
    return params.geometry(op, x.shape(), window);
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    ConvGeometry g = geometry(name(), window, params, x);
    var shape = ConvSupport.channelsLast(g.batch(), g.outSpatial(), g.channels());
    DeviceBuffer out = x.backend().allocate(x.dtype(), shape.size());
    if (shape.size() > 0) {
      x.backend().pool(kind, g, x.buffer(), out);
    }
    return new Tensor[] {Tensor.wrap(out, shape)};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return new Tensor[] {
      Dispatch.run1(new PoolGradOp(kind, window, params), inputs[0], upstream[0])
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PoolOp p
        && p.kind == kind
        && Arrays.equals(p.window, window)
        && p.params.equals(params);
  }

  @Override
  public int hashCode() {
    return (kind.hashCode() * 31 + Arrays.hashCode(window)) * 31 + params.hashCode();
  }

  @Override
  public String toString() {
    return "PoolOp(" + kind + ", window=" + Arrays.toString(window) + ", " + params + ")";
  }
}
