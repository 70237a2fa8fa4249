package dev.sonnet.runtime.cpu;

/**
 * The strided copy behind transpose, slice, concat, broadcast and pad.
 *
 * <p>{@link StridedRows} merges the axes both sides walk contiguously, so a slice of whole rows or
 * a concat becomes a few long rows copied with {@link System#arraycopy} (which works on any
 * primitive array, so this path needs no dtype switch); rows with other inner strides, such as a
 * transpose, take a plain loop per dtype. Large copies split by rows across {@link CpuParallel}.
 */
final class CopyKernels {
  private CopyKernels() {}

  static void copy(
      CpuBuffer src,
      long srcOffset,
      long[] srcStrides,
      CpuBuffer dst,
      long dstOffset,
      long[] dstStrides,
      int[] shape) {
    StridedRows layout =
        new StridedRows(shape, new long[] {srcOffset, dstOffset}, srcStrides, dstStrides);
    Object s = src.array();
    Object d = dst.array();
    int ss = layout.innerStride(0);
    int ds = layout.innerStride(1);
    int len = layout.rowLength();
    CpuParallel.parallelFor(
        layout.rows(),
        CpuParallel.grainFor(len),
        (from, to) -> {
          StridedRows.Cursor c = layout.cursor(from);
          for (int r = from; r < to; r++, c.next()) {
            row(s, c.offset(0), ss, d, c.offset(1), ds, len);
          }
        });
  }

  private static void row(Object src, int so, int ss, Object dst, int o, int ds, int n) {
    if (ss == 1 && ds == 1) {
      System.arraycopy(src, so, dst, o, n);
      return;
    }
    switch (dst) {
      case float[] d -> {
        float[] s = (float[]) src;
        for (int i = 0; i < n; i++) d[o + i * ds] = s[so + i * ss];
      }
      case double[] d -> {
        double[] s = (double[]) src;
        for (int i = 0; i < n; i++) d[o + i * ds] = s[so + i * ss];
      }
      case int[] d -> {
        int[] s = (int[]) src;
        for (int i = 0; i < n; i++) d[o + i * ds] = s[so + i * ss];
      }
      case long[] d -> {
        long[] s = (long[]) src;
        for (int i = 0; i < n; i++) d[o + i * ds] = s[so + i * ss];
      }
      case boolean[] d -> {
        boolean[] s = (boolean[]) src;
        for (int i = 0; i < n; i++) d[o + i * ds] = s[so + i * ss];
      }
      default -> throw new IllegalStateException("unknown CPU array " + dst.getClass());
    }
  }
}
