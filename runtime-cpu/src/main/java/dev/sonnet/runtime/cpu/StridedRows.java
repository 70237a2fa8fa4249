package dev.sonnet.runtime.cpu;

/**
 * Walks the multi-index space of a shape row by row for several strided operands at once: the loop
 * skeleton of every broadcasting, copying and reducing kernel.
 *
 * <p>The constructor first simplifies the layout: it drops axes of size 1 and merges neighbouring
 * axes that every operand walks contiguously (outer stride = inner stride x inner size). So a
 * same-shape dense operation becomes a single long row, adding a scalar becomes one row with an
 * inner stride of 0, and a row broadcast {@code [m, n] + [n]} becomes {@code m} rows with inner
 * strides 1. Kernels then switch once per row, never per element, and the vector kernels recognise
 * their fast cases from the inner strides.
 *
 * <p>The layout is immutable and may be shared between threads; each thread walks it with its own
 * {@link Cursor}, which can start at any row (for {@link CpuParallel} chunks).
 */
final class StridedRows {
  private final int[] shape;
  private final long[][] strides;
  private final long[] base;
  private final int rowLength;
  private final int rows;

  /**
   * @param shape the iteration shape (every axis size >= 0)
   * @param base the offset of element {@code (0, ..., 0)} in each operand
   * @param strides one stride array per operand, each of {@code shape.length} entries
   */
  StridedRows(int[] shape, long[] base, long[]... strides) {
    int ops = strides.length;
    long total = 1;
    for (int s : shape) {
      total *= s;
    }
    int[] outShape = new int[Math.max(1, shape.length)];
    long[][] outStrides = new long[ops][outShape.length];
    int rank = 0;
    if (total == 0) {
      outShape[0] = 0;
      rank = 1;
    } else {
      // Walk from the innermost axis outwards, merging into the current outermost kept axis.
      for (int d = shape.length - 1; d >= 0; d--) {
        if (shape[d] == 1) {
          continue;
        }
        if (rank > 0 && mergeable(strides, d, outStrides, rank - 1, outShape[rank - 1])) {
          outShape[rank - 1] *= shape[d];
          continue;
        }
        outShape[rank] = shape[d];
        for (int o = 0; o < ops; o++) {
          outStrides[o][rank] = strides[o][d];
        }
        rank++;
      }
      if (rank == 0) {
        outShape[0] = 1;
        rank = 1;
      }
    }
    // Collected innermost-first; store outermost-first.
    this.shape = new int[rank];
    this.strides = new long[ops][rank];
    for (int i = 0; i < rank; i++) {
      this.shape[i] = outShape[rank - 1 - i];
      for (int o = 0; o < ops; o++) {
        this.strides[o][i] = outStrides[o][rank - 1 - i];
      }
    }
    this.base = base.clone();
    this.rowLength = this.shape[rank - 1];
    this.rows = rowLength == 0 ? 0 : (int) (total / rowLength);
  }

  private static boolean mergeable(long[][] strides, int d, long[][] kept, int k, int keptSize) {
    for (int o = 0; o < strides.length; o++) {
      if (strides[o][d] != kept[o][k] * keptSize) {
        return false;
      }
    }
    return true;
  }

  /** Row-major strides of a dense array of {@code shape}. */
  static long[] denseStrides(int[] shape) {
    long[] s = new long[shape.length];
    long acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      s[d] = acc;
      acc *= shape[d];
    }
    return s;
  }

  /** Number of elements of {@code shape}. */
  static long volume(int[] shape) {
    long v = 1;
    for (int s : shape) {
      v *= s;
    }
    return v;
  }

  /** Number of rows (0 for an empty shape). */
  int rows() {
    return rows;
  }

  /** Elements per row: the size of the innermost merged axis. */
  int rowLength() {
    return rowLength;
  }

  /** The stride of {@code operand} along a row. */
  int innerStride(int operand) {
    return (int) strides[operand][shape.length - 1];
  }

  /** The stride of {@code operand} along merged axis {@code axis}. */
  long stride(int operand, int axis) {
    return strides[operand][axis];
  }

  /** The merged shape, outermost first (for tests and reductions). */
  int[] shape() {
    return shape.clone();
  }

  /** A cursor positioned at row {@code row}. */
  Cursor cursor(int row) {
    Cursor c = new Cursor();
    c.seek(row);
    return c;
  }

  /** A position in the row space; {@link #offset} gives each operand's row start. */
  final class Cursor {
    private final int[] index = new int[shape.length];
    private final long[] offsets = new long[strides.length];

    private Cursor() {}

    /** Moves to row {@code row}. */
    void seek(int row) {
      long r = row;
      for (int o = 0; o < offsets.length; o++) {
        offsets[o] = base[o];
      }
      for (int d = shape.length - 2; d >= 0; d--) {
        int i = (int) (r % shape[d]);
        r /= shape[d];
        index[d] = i;
        for (int o = 0; o < offsets.length; o++) {
          offsets[o] += i * strides[o][d];
        }
      }
    }

    /** The index of {@code operand}'s first element of the current row. */
    int offset(int operand) {
      return (int) offsets[operand];
    }

    /** Advances to the next row. */
    void next() {
      for (int d = shape.length - 2; d >= 0; d--) {
        int i = ++index[d];
        for (int o = 0; o < offsets.length; o++) {
          offsets[o] += strides[o][d];
        }
        if (i < shape[d]) {
          return;
        }
        index[d] = 0;
        for (int o = 0; o < offsets.length; o++) {
          offsets[o] -= strides[o][d] * shape[d];
        }
      }
    }
  }
}
