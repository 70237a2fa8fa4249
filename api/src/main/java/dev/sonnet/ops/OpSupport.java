package dev.sonnet.ops;

import dev.sonnet.backend.Backend;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/** Checks and allocation shared by the op records of this package. */
final class OpSupport {
  private OpSupport() {}

  /** A new zero-filled tensor of {@code shape} on {@code backend}. */
  static Tensor allocate(Backend backend, DType dtype, Shape shape) {
    return Tensor.wrap(backend.allocate(dtype, shape.size()), shape);
  }

  /**
   * A new tensor of {@code shape} on {@code backend} whose contents are unspecified (possibly
   * recycled memory, see {@link Backend#allocateUninitialized}): only for an output that the next
   * kernel overwrites in full.
   */
  static Tensor allocateUninitialized(Backend backend, DType dtype, Shape shape) {
    return Tensor.wrap(backend.allocateUninitialized(dtype, shape.size()), shape);
  }

  /**
   * The dims and dense strides of one shape, computed once and shared: kernels only read the arrays
   * they are given ({@link Backend}), so one pair serves every call on that shape.
   */
  record DenseLayout(Shape shape, int[] dims, long[] strides) {}

  /** The last layout asked for; an immutable record, so a racy read is still a consistent one. */
  private static volatile DenseLayout lastDense;

  /**
   * The dims and dense strides of {@code shape}, without allocating when the same shape was asked
   * for last (a chain of same-shape elementwise ops, a training step's repeated shapes).
   */
  static DenseLayout denseLayout(Shape shape) {
    DenseLayout l = lastDense;
    if (l != null && (l.shape == shape || l.shape.equals(shape))) {
      return l;
    }
    l = new DenseLayout(shape, shape.dims(), shape.strides());
    lastDense = l;
    return l;
  }

  /** A scalar of {@code like}'s dtype on its backend. */
  static Tensor scalarLike(Tensor like, double value) {
    return Tensor.scalar(like.backend(), like.dtype(), value);
  }

  /**
   * Throws unless both operands have one dtype (the library never promotes silently). The hint
   * casts toward the floating dtype when only one operand is floating, since the other is then data
   * (an integer image, labels) and a module's weights must stay floating; otherwise it offers both.
   */
  static void requireSameDtype(String op, Tensor a, Tensor b) {
    if (a.dtype() != b.dtype()) {
      throw new DTypeException(
          op
              + ": dtypes "
              + a.dtype()
              + " and "
              + b.dtype()
              + " differ (shapes "
              + a.shape()
              + " and "
              + b.shape()
              + "); operations do not promote dtypes. "
              + castHint(a, b));
    }
  }

  private static String castHint(Tensor a, Tensor b) {
    boolean fa = a.dtype().isFloating();
    boolean fb = b.dtype().isFloating();
    if (fa != fb) {
      Tensor data = fa ? b : a;
      Tensor target = fa ? a : b;
      return "Cast the "
          + data.dtype()
          + data.shape()
          + " operand to floating point first, e.g. x.cast(DType."
          + target.dtype().name()
          + ")";
    }
    return "Cast one operand to the other's dtype first: .cast(DType."
        + a.dtype().name()
        + ") on the "
        + b.dtype()
        + b.shape()
        + " one, or .cast(DType."
        + b.dtype().name()
        + ") on the "
        + a.dtype()
        + a.shape()
        + " one";
  }

  /** Throws unless {@code x} is float32 or float64. */
  static void requireFloating(String op, Tensor x) {
    if (!x.dtype().isFloating()) {
      throw new DTypeException(
          op
              + ": needs a floating dtype (f32 or f64), got "
              + x.dtype()
              + x.shape()
              + ". Cast it first, e.g. x.cast(DType.FLOAT32)");
    }
  }

  /**
   * Normalises possibly negative {@code axes} of a rank-{@code rank} tensor, sorted ascending;
   * rejects out-of-range and duplicate axes.
   */
  static int[] normalizeAxes(String op, Shape shape, int[] axes) {
    int rank = shape.rank();
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      int a = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (a < 0 || a >= rank) {
        throw new ShapeException(
            op
                + ": axis "
                + axes[i]
                + " is out of range for shape "
                + shape
                + " of rank "
                + rank
                + " (valid: "
                + -rank
                + " to "
                + (rank - 1)
                + ")");
      }
      out[i] = a;
    }
    Arrays.sort(out);
    for (int i = 1; i < out.length; i++) {
      if (out[i] == out[i - 1]) {
        throw new ShapeException(
            op
                + ": axis "
                + out[i]
                + " is given twice in "
                + Arrays.toString(axes)
                + " for shape "
                + shape
                + "; list each axis once");
      }
    }
    return out;
  }

  /** Normalises one possibly negative axis of a rank-{@code rank} shape. */
  static int normalizeAxis(String op, Shape shape, int axis) {
    return normalizeAxes(op, shape, new int[] {axis})[0];
  }

  /** Product of {@code dims[from..to)}. */
  static int product(int[] dims, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      p *= dims[i];
    }
    return Math.toIntExact(p);
  }

  /** Dense row-major strides of {@code dims}. */
  static long[] denseStrides(int[] dims) {
    long[] strides = new long[dims.length];
    long s = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= dims[i];
    }
    return strides;
  }
}
