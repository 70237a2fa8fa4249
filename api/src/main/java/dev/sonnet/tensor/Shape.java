package dev.sonnet.tensor;

import java.util.Arrays;

/**
 * The dimensions of a tensor: an immutable list of non-negative sizes, row-major.
 *
 * <p>Negative axis arguments count from the end, as in NumPy: {@code dim(-1)} is the last
 * dimension. A rank-0 shape ({@link #SCALAR}) has one element; a shape with a zero dimension has
 * none.
 */
public final class Shape {
  /** The shape of a scalar: rank 0, one element. */
  public static final Shape SCALAR = new Shape(new int[0]);

  private final int[] dims;
  private final long size;

  private Shape(int[] dims) {
    long n = 1;
    for (int d : dims) {
      if (d < 0) {
        throw new ShapeException("Shape dimensions must be >= 0, got " + Arrays.toString(dims));
      }
      n = Math.multiplyExact(n, d);
    }
    this.dims = dims;
    this.size = n;
  }

  /** A shape with the given dimensions (copied). */
  public static Shape of(int... dims) {
    return dims.length == 0 ? SCALAR : new Shape(dims.clone());
  }

  /** The number of dimensions. */
  public int rank() {
    return dims.length;
  }

  /** The size of {@code axis}; negative axes count from the end. */
  public int dim(int axis) {
    return dims[axis(axis)];
  }

  /** A copy of the dimensions. */
  public int[] dims() {
    return dims.clone();
  }

  /** The number of elements: the product of the dimensions (1 for a scalar). */
  public long size() {
    return size;
  }

  /** The number of elements as an int, failing clearly where a Java array could not hold them. */
  public int intSize() {
    if (size > Integer.MAX_VALUE - 8) {
      throw new ShapeException(
          "Tensor of shape "
              + this
              + " has "
              + size
              + " elements, more than one Java array can hold");
    }
    return (int) size;
  }

  /** Normalises {@code axis} (which may be negative) to {@code [0, rank)}, or throws. */
  public int axis(int axis) {
    int a = axis < 0 ? axis + dims.length : axis;
    if (a < 0 || a >= dims.length) {
      throw new ShapeException(
          "Axis " + axis + " is out of range for shape " + this + " of rank " + dims.length);
    }
    return a;
  }

  /**
   * The coordinates of the element at row-major position {@code flat}, for messages that say where
   * a bad value is ({@code [1, 4]}).
   */
  public int[] coordinates(long flat) {
    int[] at = new int[rank()];
    for (int d = at.length - 1; d >= 0; d--) {
      at[d] = (int) (flat % dims[d]);
      flat /= dims[d];
    }
    return at;
  }

  /** Row-major strides in elements: the last dimension has stride 1. */
  public long[] strides() {
    long[] strides = new long[dims.length];
    long s = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= dims[i];
    }
    return strides;
  }

  /** This shape with {@code axis} replaced by {@code size}. */
  public Shape withDim(int axis, int size) {
    int[] d = dims.clone();
    d[axis(axis)] = size;
    return new Shape(d);
  }

  /**
   * The NumPy broadcast of two shapes: aligned from the right, each pair of dimensions must be
   * equal or one of them 1.
   *
   * @param op the operation's name, for the error message
   */
  public static Shape broadcast(String op, Shape a, Shape b) {
    if (a.equals(b)) {
      return a;
    }
    int rank = Math.max(a.rank(), b.rank());
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
      int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
      if (da != db && da != 1 && db != 1) {
        throw new ShapeException(
            op
                + ": shapes "
                + a
                + " and "
                + b
                + " cannot be broadcast (dimension "
                + (i - rank)
                + ": "
                + da
                + " vs "
                + db
                + ")");
      }
      out[i] = da == 1 ? db : da;
    }
    return new Shape(out);
  }

  /**
   * Element strides for reading a tensor of this shape as if it had shape {@code target}: broadcast
   * dimensions get stride 0. {@code target} must be a broadcast of this shape.
   */
  public long[] broadcastStrides(Shape target) {
    long[] own = strides();
    long[] out = new long[target.rank()];
    int offset = target.rank() - rank();
    for (int i = 0; i < rank(); i++) {
      out[i + offset] = dims[i] == 1 ? 0 : own[i];
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** Like {@code [2, 3]}; a scalar prints as {@code []}. */
  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
