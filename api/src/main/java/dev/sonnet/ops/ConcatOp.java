package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/** Joins inputs (checked: one dtype, equal dims except {@code axis}) along {@code axis}. */
record ConcatOp(int axis) implements Op {

  @Override
  public String name() {
    return "concat";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor first = inputs[0];
    int total = 0;
    for (Tensor t : inputs) {
      total += t.shape().dim(axis);
    }
    Shape out = first.shape().withDim(axis, total);
    Tensor result = OpSupport.allocate(first.backend(), first.dtype(), out);
    long[] outStrides = out.strides();
    long offset = 0;
    for (Tensor t : inputs) {
      if (t.size() > 0) {
        first
            .backend()
            .copy(
                t.buffer(),
                0,
                t.shape().strides(),
                result.buffer(),
                offset * outStrides[axis],
                outStrides,
                t.shape().dims());
      }
      offset += t.shape().dim(axis);
    }
    return new Tensor[] {result};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor g = upstream[0];
    Tensor[] grads = new Tensor[inputs.length];
    int rank = g.rank();
    int[] step = new int[rank];
    Arrays.fill(step, 1);
    int offset = 0;
    for (int i = 0; i < inputs.length; i++) {
      int[] begin = new int[rank];
      begin[axis] = offset;
      grads[i] = Dispatch.run1(new SliceOp(begin, step, inputs[i].shape()), g);
      offset += inputs[i].shape().dim(axis);
    }
    return grads;
  }
}
