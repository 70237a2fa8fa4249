package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/** Constant padding: {@code before[i]} and {@code after[i]} (checked, >= 0) elements per axis. */
record PadOp(int[] before, int[] after, double value) implements Op {

  @Override
  public String name() {
    return "pad";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    int[] dims = x.shape().dims();
    for (int i = 0; i < dims.length; i++) {
      dims[i] += before[i] + after[i];
    }
    Shape out = Shape.of(dims);
    Tensor result = OpSupport.allocate(x.backend(), x.dtype(), out);
    if (out.size() > 0 && value != 0) {
      x.backend().fill(result.buffer(), value);
    }
    if (x.size() > 0) {
      long[] outStrides = out.strides();
      long offset = 0;
      for (int i = 0; i < dims.length; i++) {
        offset += before[i] * outStrides[i];
      }
      x.backend()
          .copy(
              x.buffer(),
              0,
              x.shape().strides(),
              result.buffer(),
              offset,
              outStrides,
              x.shape().dims());
    }
    return new Tensor[] {result};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    int[] step = new int[before.length];
    Arrays.fill(step, 1);
    return new Tensor[] {Dispatch.run1(new SliceOp(before, step, inputs[0].shape()), upstream[0])};
  }

  @Override
  public String toString() {
    return "PadOp[before="
        + Arrays.toString(before)
        + ", after="
        + Arrays.toString(after)
        + ", value="
        + value
        + "]";
  }
}
