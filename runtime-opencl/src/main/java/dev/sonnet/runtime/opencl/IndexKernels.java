package dev.sonnet.runtime.opencl;

import dev.sonnet.SonnetException;
import dev.sonnet.tensor.DType;

/**
 * Gather along an axis and its adjoint, scatter-add. A kernel cannot throw, so the indices (small
 * next to the data) are read back and checked first, with the CPU runtime's message; a bad index
 * leaves the output untouched. Scatter-add inverts the indices on the host (for each destination
 * row, the positions that add into it, in order) so that each work-item owns one output element: no
 * atomics, and the same summation order as the CPU.
 */
final class IndexKernels {
  private final OpenClBackend backend;

  IndexKernels(OpenClBackend backend) {
    this.backend = backend;
  }

  void gather(
      OpenClBuffer x, OpenClBuffer indices, OpenClBuffer out, int outer, int axisSize, int inner) {
    long[] idx = checkedIndices(indices, axisSize, "gather");
    int n = idx.length;
    int total = OpenClBackend.elementCount((long) outer * n * inner, "gather");
    if (total == 0) {
      return;
    }
    KernelProgram p = backend.programs().sized("copy.cl", OpenClBuffer.elementBytes(x.dtype()));
    String kernel = indices.dtype() == DType.INT64 ? "gather_i64" : "gather_i32";
    backend
        .call(p, kernel)
        .mem(x)
        .mem(indices)
        .mem(out)
        .i32(outer)
        .i32(axisSize)
        .i32(inner)
        .i32(n)
        .launch(total, backend.localSize());
  }

  void scatterAdd(
      OpenClBuffer updates,
      OpenClBuffer indices,
      OpenClBuffer out,
      int outer,
      int axisSize,
      int inner) {
    if (out.dtype() == DType.BOOL) {
      throw new SonnetException(
          "scatterAdd is not defined on bool tensors; cast the updates to "
              + "a numeric dtype first");
    }
    long[] idx = checkedIndices(indices, axisSize, "scatterAdd");
    int n = idx.length;
    int total = OpenClBackend.elementCount((long) outer * axisSize * inner, "scatterAdd");
    if (total == 0 || n == 0) {
      return;
    }
    int[] rowStart = new int[axisSize + 1];
    for (long j : idx) {
      rowStart[(int) j + 1]++;
    }
    for (int a = 0; a < axisSize; a++) {
      rowStart[a + 1] += rowStart[a];
    }
    int[] perm = new int[n];
    int[] fill = rowStart.clone();
    for (int j = 0; j < n; j++) {
      perm[fill[(int) idx[j]]++] = j;
    }
    OpenClBuffer starts = backend.uploadInts(rowStart);
    OpenClBuffer order = backend.uploadInts(perm);
    try {
      KernelProgram p = backend.programs().typed("elementwise.cl", out.dtype(), "");
      backend
          .call(p, "scatter_add")
          .mem(updates)
          .mem(out)
          .mem(starts)
          .mem(order)
          .i32(outer)
          .i32(axisSize)
          .i32(inner)
          .i32(n)
          .launch(total, backend.localSize());
    } finally {
      // Safe while the kernel is queued: OpenCL frees the memory once the kernel is done.
      starts.release();
      order.release();
    }
  }

  /** Reads the indices and checks each against {@code [0, axisSize)}. */
  private long[] checkedIndices(OpenClBuffer indices, int axisSize, String op) {
    if (indices.dtype() != DType.INT32 && indices.dtype() != DType.INT64) {
      throw new SonnetException(op + " indices must be INT32 or INT64, got " + indices.dtype());
    }
    long[] v = backend.readIndices(indices);
    for (int j = 0; j < v.length; j++) {
      if (v[j] < 0 || v[j] >= axisSize) {
        throw new SonnetException(
            op
                + ": index "
                + v[j]
                + " (at position "
                + j
                + " of the indices) is out of range for an axis of size "
                + axisSize
                + "; valid indices are 0 to "
                + (axisSize - 1)
                + (v[j] < 0
                    ? ". Negative indices do not wrap around here; add the axis size first"
                    : ""));
      }
    }
    return v;
  }
}
