package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * Selects slices of {@code x} along {@code axis} by integer indices (checked); the output shape is
 * {@code x.shape[:axis] + indices.shape + x.shape[axis+1:]}.
 */
record GatherOp(int axis) implements Op {

  @Override
  public String name() {
    return "gather";
  }

  static Shape outputShape(Shape x, Shape indices, int axis) {
    int[] xd = x.dims();
    int[] id = indices.dims();
    int[] out = new int[xd.length - 1 + id.length];
    System.arraycopy(xd, 0, out, 0, axis);
    System.arraycopy(id, 0, out, axis, id.length);
    System.arraycopy(xd, axis + 1, out, axis + id.length, xd.length - axis - 1);
    return Shape.of(out);
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor indices = inputs[1];
    Shape out = outputShape(x.shape(), indices.shape(), axis);
    Tensor result = OpSupport.allocateUninitialized(x.backend(), x.dtype(), out);
    if (out.size() > 0) {
      int[] xd = x.shape().dims();
      x.backend()
          .gather(
              x.buffer(),
              indices.buffer(),
              result.buffer(),
              OpSupport.product(xd, 0, axis),
              xd[axis],
              OpSupport.product(xd, axis + 1, xd.length));
    }
    return new Tensor[] {result};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor x = inputs[0];
    Tensor dx = Dispatch.run1(new ScatterAddOp(axis), x.zerosLike(), inputs[1], upstream[0]);
    return new Tensor[] {dx, null};
  }
}
