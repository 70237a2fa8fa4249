package dev.sonnet.runtime.opencl;

import java.util.Arrays;

/**
 * An index space walked by several operands at once, each with its own strides and offset, in the
 * fewest dimensions: axes of size 1 are dropped, and neighbouring axes that every operand walks
 * contiguously are merged (a same-shape elementwise operation becomes one axis). The kernels take
 * at most {@value KernelCall#MAX_RANK} axes as {@code int8}/{@code long8} values padded with size-1
 * axes in front; a layout with more is split on the host into launches over the innermost eight
 * axes ({@link #chunks()}).
 */
final class StridedLayout {
  private final int[] shape;
  private final long[][] strides;
  private final long[] offsets;

  private StridedLayout(int[] shape, long[][] strides, long[] offsets) {
    this.shape = shape;
    this.strides = strides;
    this.offsets = offsets;
  }

  /** Merges {@code shape} walked by operands with {@code strides} starting at {@code offsets}. */
  static StridedLayout of(int[] shape, long[] offsets, long[]... strides) {
    int ops = strides.length;
    int[] dims = new int[shape.length];
    long[][] st = new long[ops][shape.length];
    int rank = 0;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] == 1) {
        continue;
      }
      if (rank > 0 && mergeable(dims[rank - 1], st, rank - 1, strides, d, shape[d])) {
        for (int o = 0; o < ops; o++) {
          st[o][rank - 1] = strides[o][d];
        }
        dims[rank - 1] *= shape[d];
        continue;
      }
      dims[rank] = shape[d];
      for (int o = 0; o < ops; o++) {
        st[o][rank] = strides[o][d];
      }
      rank++;
    }
    if (rank == 0) {
      return new StridedLayout(new int[] {1}, zeros(ops), offsets.clone());
    }
    long[][] trimmed = new long[ops][];
    for (int o = 0; o < ops; o++) {
      trimmed[o] = Arrays.copyOf(st[o], rank);
    }
    return new StridedLayout(Arrays.copyOf(dims, rank), trimmed, offsets.clone());
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

  /** Axis {@code prev} (size {@code prevSize}) absorbs input axis {@code d} (inner, size n). */
  private static boolean mergeable(
      int prevSize, long[][] merged, int prev, long[][] strides, int d, int n) {
    for (int o = 0; o < strides.length; o++) {
      if (merged[o][prev] != strides[o][d] * n) {
        return false;
      }
    }
    return prevSize > 0;
  }

  private static long[][] zeros(int ops) {
    long[][] z = new long[ops][1];
    return z;
  }

  /** Number of elements of the index space. */
  long count() {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }

  int rank() {
    return shape.length;
  }

  /** True when the layout is a single axis: operand {@code o} is at {@code offset + i * stride}. */
  boolean flat() {
    return shape.length == 1;
  }

  /** Stride of operand {@code o} along the single axis of a {@link #flat()} layout. */
  long flatStride(int o) {
    return strides[o][0];
  }

  long offset(int o) {
    return offsets[o];
  }

  /** One launch: the innermost axes (at most eight) and each operand's base offset. */
  record Chunk(long[] offsets, long start, int count, int[] shape8, long[][] strides8, int rank) {}

  /** Launches covering the index space, in order; one unless the rank exceeds eight. */
  Chunk[] chunks() {
    int rank = shape.length;
    int inner = Math.min(rank, KernelCall.MAX_RANK);
    int outerRank = rank - inner;
    int[] shape8 = new int[KernelCall.MAX_RANK];
    Arrays.fill(shape8, 1);
    long[][] strides8 = new long[strides.length][KernelCall.MAX_RANK];
    long innerCount = 1;
    for (int d = 0; d < inner; d++) {
      int src = outerRank + d;
      int dst = KernelCall.MAX_RANK - inner + d;
      shape8[dst] = shape[src];
      innerCount *= shape[src];
      for (int o = 0; o < strides.length; o++) {
        strides8[o][dst] = strides[o][src];
      }
    }
    long outerCount = 1;
    for (int d = 0; d < outerRank; d++) {
      outerCount *= shape[d];
    }
    OpenClBackend.elementCount(innerCount, "a strided kernel");
    Chunk[] chunks = new Chunk[(int) outerCount];
    int[] idx = new int[outerRank];
    for (int c = 0; c < outerCount; c++) {
      long[] off = offsets.clone();
      for (int d = 0; d < outerRank; d++) {
        for (int o = 0; o < strides.length; o++) {
          off[o] += idx[d] * strides[o][d];
        }
      }
      chunks[c] = new Chunk(off, c * innerCount, (int) innerCount, shape8, strides8, inner);
      for (int d = outerRank - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return chunks;
  }

  @Override
  public String toString() {
    return "StridedLayout" + Arrays.toString(shape) + Arrays.deepToString(strides);
  }
}
