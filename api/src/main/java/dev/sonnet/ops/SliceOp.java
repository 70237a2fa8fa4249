package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
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

  /**
   * Resolves a slice with Python's rules (see {@link ShapeOps#slice}) against {@code shape}; null
   * when it selects the whole tensor unchanged.
   */
  static SliceOp normalize(Shape shape, int[] begin, int[] end, int[] strides) {
    int rank = shape.rank();
    if (begin.length != end.length
        || (strides != null && strides.length != begin.length)
        || begin.length > rank) {
      throw new ShapeException(
          "slice: begin "
              + Arrays.toString(begin)
              + ", end "
              + Arrays.toString(end)
              + " and strides "
              + Arrays.toString(strides)
              + " must have one length, at most the rank of shape "
              + shape);
    }
    int[] start = new int[rank];
    int[] step = new int[rank];
    int[] dims = new int[rank];
    boolean whole = true;
    for (int i = 0; i < rank; i++) {
      int n = shape.dim(i);
      if (i >= begin.length) {
        step[i] = 1;
        dims[i] = n;
        continue;
      }
      int s = strides == null ? 1 : strides[i];
      if (s == 0) {
        throw new ShapeException(
            "slice: stride of axis " + i + " is 0 (shape " + shape + "); strides must be nonzero");
      }
      long b = begin[i];
      long e = end[i];
      long count;
      if (s > 0) {
        b = clamp(b < 0 ? b + n : b, 0, n);
        e = clamp(e < 0 ? e + n : e, 0, n);
        count = e > b ? (e - b + s - 1) / s : 0;
      } else {
        b = clamp(b < 0 ? b + n : b, -1, n - 1);
        e = clamp(e < 0 ? e + n : e, -1, n - 1);
        count = b > e ? (b - e - s - 1) / -s : 0;
      }
      step[i] = s;
      dims[i] = (int) count;
      start[i] = count == 0 ? 0 : (int) b;
      whole &= s == 1 && count == n;
    }
    return whole ? null : new SliceOp(start, step, Shape.of(dims));
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  /**
   * Offset of the first element and the per-axis strides of the window in a tensor of {@code in}.
   */
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
    Tensor out = OpSupport.allocateUninitialized(x.backend(), x.dtype(), shape);
    if (shape.size() > 0) {
      long[] srcStrides = new long[begin.length];
      long offset = offset(x.shape(), begin, step, srcStrides);
      x.backend()
          .copy(x.buffer(), offset, srcStrides, out.buffer(), 0, shape.strides(), shape.dims());
    }
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return new Tensor[] {
      Dispatch.run1(new SliceGradOp(inputs[0].shape(), begin, step), upstream[0])
    };
  }

  @Override
  public String toString() {
    return "SliceOp[begin="
        + Arrays.toString(begin)
        + ", step="
        + Arrays.toString(step)
        + ", shape="
        + shape
        + "]";
  }
}
