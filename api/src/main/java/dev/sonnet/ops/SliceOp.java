package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * A strided slice, already normalised: along axis {@code i} it takes {@code shape[i]} elements
 * starting at {@code begin[i]} (a valid index when {@code shape[i] > 0}), {@code step[i]} apart
 * (nonzero, possibly negative).
 */
record SliceOp(int[] begin, int[] step, Shape shape) implements Op {

  @Override
  public String name() {
    return "slice";
  }

  /** Offset of the first element and the per-axis strides of the window in a tensor of {@code in}. */
  static long offset(Shape in, int[] begin, int[] step, long[] stridesOut) {
    long[] strides = in.strides();
    long offset = 0;
    for (int i = 0; i < begin.length; i++) {
      offset += (long) begin[i] * strides[i];
      stridesOut[i] = strides[i] * step[i];
    }
    return offset;
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor out = OpSupport.allocate(x.backend(), x.dtype(), shape);
    if (shape.size() > 0) {
      long[] srcStrides = new long[begin.length];
      long offset = offset(x.shape(), begin, step, srcStrides);
      x.backend().copy(x.buffer(), offset, srcStrides, out.buffer(), 0, shape.strides(),
          shape.dims());
    }
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return new Tensor[] {
        Dispatch.run1(new SliceGradOp(inputs[0].shape(), begin, step), upstream[0])};
  }

  @Override
  public String toString() {
    return "SliceOp[begin=" + Arrays.toString(begin) + ", step=" + Arrays.toString(step)
        + ", shape=" + shape + "]";
  }
}
