package dev.sonnet.runtime.cpu;

import dev.sonnet.SonnetException;
import dev.sonnet.tensor.DType;

/**
 * Gather along an axis and its adjoint, scatter-add.
 *
 * <p>Both view the indexed tensor as {@code [outer, axisSize, inner]} and move whole {@code
 * inner}-element slices. Every index is checked before anything is written, so a bad index leaves
 * the output untouched and the error names the index, its position and the axis size. Gather copies
 * slices with {@link System#arraycopy} (any dtype); scatter-add accumulates duplicates in index
 * order, so its result is deterministic. Scatter-add runs on the calling thread: parallel
 * accumulation into shared rows would race.
 */
final class IndexKernels {
  private IndexKernels() {}

  static void gather(
      CpuBuffer x, CpuBuffer indices, CpuBuffer out, int outer, int axisSize, int inner) {
    int[] idx = checkedIndices(indices, axisSize, "gather");
    int n = idx.length;
    Object xs = x.array();
    Object os = out.array();
    CpuParallel.parallelFor(
        outer * n,
        CpuParallel.grainFor(inner),
        (from, to) -> {
          for (int r = from; r < to; r++) {
            int o = r / n;
            int j = r - o * n;
            System.arraycopy(xs, (o * axisSize + idx[j]) * inner, os, r * inner, inner);
          }
        });
  }

  static void scatterAdd(
      CpuBuffer updates, CpuBuffer indices, CpuBuffer out, int outer, int axisSize, int inner) {
    int[] idx = checkedIndices(indices, axisSize, "scatterAdd");
    int n = idx.length;
    switch (out.dtype()) {
      case FLOAT32 -> {
        float[] u = updates.f32();
        float[] o = out.f32();
        for (int b = 0; b < outer; b++) {
          for (int j = 0; j < n; j++) {
            int src = (b * n + j) * inner;
            int dst = (b * axisSize + idx[j]) * inner;
            for (int i = 0; i < inner; i++) o[dst + i] += u[src + i];
          }
        }
      }
      case FLOAT64 -> {
        double[] u = updates.f64();
        double[] o = out.f64();
        for (int b = 0; b < outer; b++) {
          for (int j = 0; j < n; j++) {
            int src = (b * n + j) * inner;
            int dst = (b * axisSize + idx[j]) * inner;
            for (int i = 0; i < inner; i++) o[dst + i] += u[src + i];
          }
        }
      }
      case INT32 -> {
        int[] u = updates.i32();
        int[] o = out.i32();
        for (int b = 0; b < outer; b++) {
          for (int j = 0; j < n; j++) {
            int src = (b * n + j) * inner;
            int dst = (b * axisSize + idx[j]) * inner;
            for (int i = 0; i < inner; i++) o[dst + i] += u[src + i];
          }
        }
      }
      case INT64 -> {
        long[] u = updates.i64();
        long[] o = out.i64();
        for (int b = 0; b < outer; b++) {
          for (int j = 0; j < n; j++) {
            int src = (b * n + j) * inner;
            int dst = (b * axisSize + idx[j]) * inner;
            for (int i = 0; i < inner; i++) o[dst + i] += u[src + i];
          }
        }
      }
      case BOOL ->
          throw new SonnetException(
              "scatterAdd is not defined on bool tensors; cast "
                  + "the updates to a numeric dtype first");
    }
  }

  /** The indices as ints, each checked against {@code [0, axisSize)}. */
  private static int[] checkedIndices(CpuBuffer indices, int axisSize, String op) {
    int n = indices.length();
    int[] out = new int[n];
    if (indices.dtype() == DType.INT32) {
      int[] v = indices.i32();
      for (int j = 0; j < n; j++) {
        if (v[j] < 0 || v[j] >= axisSize) {
          throw outOfRange(op, v[j], j, axisSize);
        }
        out[j] = v[j];
      }
    } else if (indices.dtype() == DType.INT64) {
      long[] v = indices.i64();
      for (int j = 0; j < n; j++) {
        if (v[j] < 0 || v[j] >= axisSize) {
          throw outOfRange(op, v[j], j, axisSize);
        }
        out[j] = (int) v[j];
      }
    } else {
      throw new SonnetException(op + " indices must be INT32 or INT64, got " + indices.dtype());
    }
    return out;
  }

  private static SonnetException outOfRange(String op, long value, int position, int axisSize) {
    return new SonnetException(
        op
            + ": index "
            + value
            + " (at position "
            + position
            + " of the indices) is out of range for an axis of size "
            + axisSize
            + "; valid indices are 0 to "
            + (axisSize - 1)
            + (value < 0
                ? ". Negative indices do not wrap around here; add the axis size first"
                : ""));
  }
}
