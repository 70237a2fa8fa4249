package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * The adjoint of {@link SliceOp}: a tensor of zeros of {@code inputShape} with the input written
 * into the slice's window. Used for the gradients of slice, concat and split.
 */
record SliceGradOp(Shape inputShape, int[] begin, int[] step) implements Op {

  @Override
  public String name() {
    return "slice_grad";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor g = inputs[0];
    Tensor out = OpSupport.allocate(g.backend(), g.dtype(), inputShape);
    if (g.size() > 0) {
      long[] dstStrides = new long[begin.length];
      long offset = SliceOp.offset(inputShape, begin, step, dstStrides);
      g.backend()
          .copy(
              g.buffer(),
              0,
              g.shape().strides(),
              out.buffer(),
              offset,
              dstStrides,
              g.shape().dims());
    }
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return new Tensor[] {Dispatch.run1(new SliceOp(begin, step, inputs[0].shape()), upstream[0])};
  }

  @Override
  public String toString() {
    return "SliceGradOp[inputShape="
        + inputShape
        + ", begin="
        + Arrays.toString(begin)
        + ", step="
        + Arrays.toString(step)
        + "]";
  }
}
