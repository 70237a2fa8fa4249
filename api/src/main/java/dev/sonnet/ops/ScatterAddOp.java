package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * {@code x} plus {@code updates} added at {@code indices} along {@code axis} (the adjoint of {@link
 * GatherOp}); repeated indices accumulate. Inputs: x, indices, updates (checked).
 */
record ScatterAddOp(int axis) implements Op {

  @Override
  public String name() {
    return "scatter_add";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor indices = inputs[1];
    Tensor updates = inputs[2];
    Shape shape = x.shape();
    Tensor out = OpSupport.allocate(x.backend(), x.dtype(), shape);
    if (shape.size() > 0) {
      long[] strides = shape.strides();
      x.backend().copy(x.buffer(), 0, strides, out.buffer(), 0, strides, shape.dims());
      if (updates.size() > 0) {
        int[] xd = shape.dims();
        x.backend()
            .scatterAdd(
                updates.buffer(),
                indices.buffer(),
                out.buffer(),
                OpSupport.product(xd, 0, axis),
                xd[axis],
                OpSupport.product(xd, axis + 1, xd.length));
      }
    }
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor g = upstream[0];
    Tensor dUpdates = Dispatch.run1(new GatherOp(axis), g, inputs[1]);
    return new Tensor[] {g, null, dUpdates};
  }
}
