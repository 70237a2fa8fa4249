package dev.sonnet.runtime.opencl;

import java.lang.ref.Reference;
import org.jocl.CL;

/**
 * Launches the element-moving kernels of {@code copy.cl}: the strided copy behind transpose, slice,
 * concat, broadcast and pad, and {@code where}. They depend only on the element width, so one
 * program per width serves every dtype. A copy whose source and destination both merge into one
 * contiguous run becomes {@code clEnqueueCopyBuffer}.
 */
final class CopyKernels {
  private static final String FILE = "copy.cl";

  private final OpenClBackend backend;

  CopyKernels(OpenClBackend backend) {
    this.backend = backend;
  }

  void copy(
      OpenClBuffer src,
      long srcOffset,
      long[] srcStrides,
      OpenClBuffer dst,
      long dstOffset,
      long[] dstStrides,
      int[] shape) {
    StridedLayout layout =
        StridedLayout.of(shape, new long[] {srcOffset, dstOffset}, srcStrides, dstStrides);
    long count = layout.count();
    if (count == 0) {
      return;
    }
    int width = OpenClBuffer.elementBytes(src.dtype());
    if (layout.flat() && layout.flatStride(0) == 1 && layout.flatStride(1) == 1 && src != dst) {
      int status =
          CL.clEnqueueCopyBuffer(
              backend.device().queue(),
              src.mem(),
              dst.mem(),
              srcOffset * width,
              dstOffset * width,
              count * width,
              0,
              null,
              null);
      Reference.reachabilityFence(src);
      Reference.reachabilityFence(dst);
      ClErrors.check(status, "clEnqueueCopyBuffer");
      return;
    }
    KernelProgram p = backend.programs().sized(FILE, width);
    if (layout.flat()) {
      int n = OpenClBackend.elementCount(count, "copy");
      backend
          .call(p, "copy_flat")
          .mem(src)
          .i64(layout.offset(0))
          .i64(layout.flatStride(0))
          .mem(dst)
          .i64(layout.offset(1))
          .i64(layout.flatStride(1))
          .i32(n)
          .launch(n, backend.localSize());
      return;
    }
    for (StridedLayout.Chunk c : layout.chunks()) {
      backend
          .call(p, "copy_strided")
          .mem(src)
          .i64(c.offsets()[0])
          .long8(c.strides8()[0])
          .mem(dst)
          .i64(c.offsets()[1])
          .long8(c.strides8()[1])
          .i32(c.count())
          .int8(c.shape8())
          .i32(c.rank())
          .launch(c.count(), backend.localSize());
    }
  }

  void where(
      OpenClBuffer cond,
      long[] condStrides,
      OpenClBuffer a,
      long[] aStrides,
      OpenClBuffer b,
      long[] bStrides,
      OpenClBuffer out,
      int[] outShape) {
    StridedLayout layout =
        StridedLayout.of(
            outShape,
            new long[4],
            condStrides,
            aStrides,
            bStrides,
            StridedLayout.denseStrides(outShape));
    int n = OpenClBackend.elementCount(layout.count(), "where");
    if (n == 0) {
      return;
    }
    KernelProgram p = backend.programs().sized(FILE, OpenClBuffer.elementBytes(out.dtype()));
    if (layout.flat()) {
      backend
          .call(p, "where_flat")
          .mem(cond)
          .i64(0)
          .i64(layout.flatStride(0))
          .mem(a)
          .i64(0)
          .i64(layout.flatStride(1))
          .mem(b)
          .i64(0)
          .i64(layout.flatStride(2))
          .mem(out)
          .i64(0)
          .i32(n)
          .launch(n, backend.localSize());
      return;
    }
    for (StridedLayout.Chunk c : layout.chunks()) {
      backend
          .call(p, "where_strided")
          .mem(cond)
          .i64(c.offsets()[0])
          .long8(c.strides8()[0])
          .mem(a)
          .i64(c.offsets()[1])
          .long8(c.strides8()[1])
          .mem(b)
          .i64(c.offsets()[2])
          .long8(c.strides8()[2])
          .mem(out)
          .i64(c.start())
          .i32(c.count())
          .int8(c.shape8())
          .i32(c.rank())
          .launch(c.count(), backend.localSize());
    }
  }
}
