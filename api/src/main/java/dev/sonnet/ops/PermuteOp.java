package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/** Reorders axes: output axis {@code i} is input axis {@code perm[i]} (a valid permutation). */
record PermuteOp(int[] perm) implements Op {

  @Override
  public String name() {
    return "permute";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    int rank = perm.length;
    int[] inDims = x.shape().dims();
    long[] inStrides = x.shape().strides();
    int[] outDims = new int[rank];
    long[] srcStrides = new long[rank];
    for (int i = 0; i < rank; i++) {
      outDims[i] = inDims[perm[i]];
      srcStrides[i] = inStrides[perm[i]];
    }
    Shape out = Shape.of(outDims);
    Tensor result = OpSupport.allocateUninitialized(x.backend(), x.dtype(), out);
    if (out.size() > 0) {
      x.backend().copy(x.buffer(), 0, srcStrides, result.buffer(), 0, out.strides(), outDims);
    }
    return new Tensor[] {result};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    int[] inverse = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      inverse[perm[i]] = i;
    }
    return new Tensor[] {Dispatch.run1(new PermuteOp(inverse), upstream[0])};
  }

  @Override
  public String toString() {
    return "PermuteOp" + Arrays.toString(perm);
  }
}
