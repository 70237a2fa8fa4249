package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/** Materialises the NumPy broadcast of the input to {@code shape} (already checked). */
record BroadcastToOp(Shape shape) implements Op {

  @Override
  public String name() {
    return "broadcast_to";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor out = OpSupport.allocateUninitialized(x.backend(), x.dtype(), shape);
    if (shape.size() > 0) {
      x.backend()
          .copy(
              x.buffer(),
              0,
              x.shape().broadcastStrides(shape),
              out.buffer(),
              0,
              shape.strides(),
              shape.dims());
    }
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return new Tensor[] {Broadcasting.reduceTo(upstream[0], inputs[0].shape())};
  }
}
