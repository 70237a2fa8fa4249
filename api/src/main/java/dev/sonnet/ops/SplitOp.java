package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * Cuts its input (checked: the sizes add up to its {@code axis}) into consecutive parts along
 * {@code axis}: one op with one output per part, so that its gradient is a single concatenation of
 * the parts' gradients. Split into slices instead, a sequence of {@code T} steps would get {@code
 * T} full-size gradients, each zero but for its slice, summed one by one: {@code T^2} times the
 * work (an unrolled recurrent core's input projection, for one).
 */
record SplitOp(int axis, int[] sizes) implements Op {

  @Override
  public String name() {
    return "split";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Shape in = x.shape();
    long[] inStrides = in.strides();
    Tensor[] parts = new Tensor[sizes.length];
    long offset = 0;
    for (int i = 0; i < sizes.length; i++) {
      Shape part = in.withDim(axis, sizes[i]);
      // Every element of a part is copied from the input, so its memory need not start zeroed.
      parts[i] = OpSupport.allocateUninitialized(x.backend(), x.dtype(), part);
      if (part.size() > 0) {
        x.backend()
            .copy(
                x.buffer(),
                offset * inStrides[axis],
                inStrides,
                parts[i].buffer(),
                0,
                part.strides(),
                part.dims());
      }
      offset += sizes[i];
    }
    return parts;
  }

  /** The parts' gradients joined along the axis, in one pass. */
  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return new Tensor[] {Dispatch.run1(new ConcatOp(axis), upstream)};
  }
}
