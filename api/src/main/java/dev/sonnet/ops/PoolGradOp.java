package dev.sonnet.ops;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * The gradient of {@link PoolOp}: inputs {@code x [batch, in..., C]} (the pooled input) and {@code
 * dy [batch, out..., C]}; output {@code dx} shaped like {@code x}. Average pooling spreads each
 * {@code dy} evenly over the in-input positions of its window; max pooling routes it to the first
 * maximal position.
 *
 * <p>It is linear in {@code dy}. Its gradient for {@code dy} is the adjoint map: average pooling
 * again for {@code AVG}, and {@link PoolGradGradOp} (reading the upstream gradient at each window's
 * selected element) for {@code MAX}. Neither depends smoothly on {@code x}, whose gradient is zero
 * (null).
 */
public record PoolGradOp(PoolKind kind, int[] window, ConvParams params) implements Op {

  public PoolGradOp {
    window = window.clone();
  }

  @Override
  public int[] window() {
    return window.clone();
  }

  @Override
  public String name() {
    return ConvSupport.name(kind == PoolKind.MAX ? "max_pool" : "avg_pool", params.rank())
        + "_grad";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor dy = inputs[1];
    String op = name();
    ConvGeometry g = PoolOp.geometry(op, window, params, x);
    var dyShape = ConvSupport.channelsLast(g.batch(), g.outSpatial(), g.channels());
    if (!dy.shape().equals(dyShape) || dy.dtype() != x.dtype()) {
      throw DTypeException.shapeOrDtype(
          dy.shape().equals(dyShape),
          op
              + ": output gradient is "
              + dy.dtype()
              + dy.shape()
              + " but pooling "
              + x.dtype()
              + x.shape()
              + " gives "
              + x.dtype()
              + dyShape);
    }
    if (x.size() == 0 || dy.size() == 0) {
      return new Tensor[] {Tensor.wrap(x.backend().allocate(x.dtype(), x.size()), x.shape())};
    }
    // poolBackward overwrites every element of dx (Backend's contract), so it need not be zeroed
    // first: that clearing pass was as long as the kernel's own writes.
    DeviceBuffer dx = x.backend().allocateUninitialized(x.dtype(), x.size());
    x.backend().poolBackward(kind, g, x.buffer(), dy.buffer(), dx);
    return new Tensor[] {Tensor.wrap(dx, x.shape())};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor gradDy =
        kind == PoolKind.MAX
            ? Dispatch.run1(new PoolGradGradOp(window, params), inputs[0], upstream[0])
            : Dispatch.run1(new PoolOp(kind, window, params), upstream[0]);
    return new Tensor[] {null, gradDy};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PoolGradOp p
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
    return "PoolGradOp(" + kind + ", window=" + Arrays.toString(window) + ", " + params + ")";
  }
}
