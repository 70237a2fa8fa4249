package dev.sonnet.ops;

import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reduces over {@code axes} (normalised, sorted, distinct, non-empty). Arg kinds reduce one axis
 * and return int64 indices without a gradient.
 */
record ReduceOp(ReduceKind kind, int[] axes, boolean keepDims) implements Op {

  @Override
  public String name() {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  /** The output shape for input {@code in}. */
  Shape outputShape(Shape in) {
    return reducedShape(in, axes, keepDims);
  }

  static Shape reducedShape(Shape in, int[] axes, boolean keepDims) {
    int[] dims = in.dims();
    if (keepDims) {
      for (int a : axes) {
        dims[a] = 1;
      }
      return Shape.of(dims);
    }
    int[] out = new int[dims.length - axes.length];
    for (int i = 0, j = 0, k = 0; i < dims.length; i++) {
      if (k < axes.length && axes[k] == i) {
        k++;
      } else {
        out[j++] = dims[i];
      }
    }
    return Shape.of(out);
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Shape in = x.shape();
    boolean arg = kind == ReduceKind.ARGMAX || kind == ReduceKind.ARGMIN;
    if (x.dtype() == DType.BOOL) {
      throw new DTypeException(
          name()
              + ": not defined for bool tensors (shape "
              + in
              + "); cast first, e.g. mask.cast(DType.INT32)");
    }
    Shape out = outputShape(in);
    DType outType = arg ? DType.INT64 : x.dtype();
    // A reduction of a non-empty input writes every output element; an empty one relies on zeros.
    Tensor result =
        x.size() > 0
            ? OpSupport.allocateUninitialized(x.backend(), outType, out)
            : OpSupport.allocate(x.backend(), outType, out);
    if (out.size() == 0) {
      return new Tensor[] {result};
    }
    if (x.size() == 0) {
      // Some reduced axis is empty while the output is not.
      switch (kind) {
        case SUM -> {}
        case PROD -> x.backend().fill(result.buffer(), 1);
        default ->
            throw new ShapeException(
                name()
                    + ": cannot reduce the empty axes "
                    + Arrays.toString(axes)
                    + " of shape "
                    + in
                    + "; the result would be undefined");
      }
      return new Tensor[] {result};
    }
    boolean[] flags = new boolean[in.rank()];
    for (int a : axes) {
      flags[a] = true;
    }
    x.backend().reduce(kind, x.buffer(), in.dims(), flags, result.buffer());
    return new Tensor[] {result};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor x = inputs[0];
    Shape keep = reducedShape(x.shape(), axes, true);
    Tensor g = ShapeOps.reshapeTo(upstream[0], keep);
    Tensor dx =
        switch (kind) {
          case SUM -> ShapeOps.broadcastTo(g, x.shape());
          // d/dx_i prod(x) = prod(x) / x_i; undefined (NaN or inf) where some x_i is zero.
          case PROD -> g.mul(ShapeOps.reshapeTo(outputs[0], keep)).div(x);
          case MAX, MIN -> {
            // Ties share the gradient equally among the extreme elements (as TensorFlow).
            Tensor y = ShapeOps.reshapeTo(outputs[0], keep);
            Tensor mask = Elementwise.cast(x.equal(y), x.dtype());
            Tensor count = Reductions.reduceSorted(ReduceKind.SUM, mask, true, axes);
            yield mask.mul(g.div(count));
          }
          case ARGMAX, ARGMIN -> null;
        };
    return new Tensor[] {dx};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReduceOp r
        && r.kind == kind
        && r.keepDims == keepDims
        && Arrays.equals(r.axes, axes);
  }

  @Override
  public int hashCode() {
    return (kind.hashCode() * 31 + Arrays.hashCode(axes)) * 31 + Boolean.hashCode(keepDims);
  }

  @Override
  public String toString() {
    return "ReduceOp["
        + name()
        + ", axes="
        + Arrays.toString(axes)
        + ", keepDims="
        + keepDims
        + "]";
  }
}
