package dev.sonnet.runtime.opencl;

import java.lang.ref.Reference;
import java.util.Arrays;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;

/**
 * Sets the arguments of one kernel, in order, and enqueues it. Arguments are stored in the kernel
 * object, so a call must run to {@link #launch} without another call on the same kernel in between:
 * {@link OpenClBackend} serialises them.
 */
final class KernelCall {
  /** Dimensions of the padded index vectors ({@code int8}, {@code long8}) in the kernels. */
  static final int MAX_RANK = 8;

  private final OpenClDevice device;
  private final cl_kernel kernel;
  private final String name;
  private int index;

  /**
   * The buffers passed so far, kept reachable until the kernel is enqueued: otherwise a buffer's
   * cleaner could release its memory between {@code clSetKernelArg} and the enqueue (once enqueued,
   * OpenCL itself keeps the memory until the kernel is done).
   */
  private OpenClBuffer[] buffers = new OpenClBuffer[4];

  private int bufferCount;

  KernelCall(OpenClDevice device, KernelProgram program, String name) {
    this.device = device;
    this.kernel = program.kernel(name);
    this.name = name;
  }

  KernelCall mem(OpenClBuffer buffer) {
    if (bufferCount == buffers.length) {
      buffers = Arrays.copyOf(buffers, 2 * bufferCount);
    }
    buffers[bufferCount++] = buffer;
    return set(Sizeof.cl_mem, Pointer.to(buffer.mem()));
  }

  KernelCall i32(int v) {
    return set(Sizeof.cl_int, Pointer.to(new int[] {v}));
  }

  KernelCall i64(long v) {
    return set(Sizeof.cl_long, Pointer.to(new long[] {v}));
  }

  KernelCall f32(float v) {
    return set(Sizeof.cl_float, Pointer.to(new float[] {v}));
  }

  KernelCall f64(double v) {
    return set(Sizeof.cl_double, Pointer.to(new double[] {v}));
  }

  /** An {@code int8} argument (exactly 8 values). */
  KernelCall int8(int[] v) {
    return set(Sizeof.cl_int * 8L, Pointer.to(v));
  }

  /** An {@code int16} argument (exactly 16 values). */
  KernelCall int16(int[] v) {
    return set(Sizeof.cl_int * 16L, Pointer.to(v));
  }

  /** A {@code long8} argument (exactly 8 values). */
  KernelCall long8(long[] v) {
    return set(Sizeof.cl_long * 8L, Pointer.to(v));
  }

  /** Enqueues {@code work} items in one dimension, in groups of {@code local}; 0 items: nothing. */
  void launch(long work, int local) {
    if (work <= 0) {
      return;
    }
    long global = (work + local - 1) / local * local;
    enqueue(1, new long[] {global}, new long[] {local});
  }

  /**
   * Enqueues an explicit 1- to 3-dimensional range ({@code global} a multiple of {@code local}).
   */
  void enqueue(int dims, long[] global, long[] local) {
    int status =
        CL.clEnqueueNDRangeKernel(device.queue(), kernel, dims, null, global, local, 0, null, null);
    Reference.reachabilityFence(buffers);
    if (status != 0) {
      throw failure(status);
    }
    device.enqueued();
  }

  private KernelCall set(long size, Pointer value) {
    int status = CL.clSetKernelArg(kernel, index, size, value);
    if (status != 0) {
      throw new OpenClException(
          ClErrors.describe("clSetKernelArg(" + name + ", argument " + index + ")", status),
          status);
    }
    index++;
    return this;
  }

  private OpenClException failure(int status) {
    String message = ClErrors.describe("clEnqueueNDRangeKernel(" + name + ")", status);
    if (ClErrors.isOutOfMemory(status)) {
      return new OpenClOutOfMemoryException(
          message
              + ": the device ran out of memory or "
              + "resources running kernel "
              + name
              + "; release tensors you no longer need "
              + "(tensor.release()) or use smaller batches",
          status);
    }
    return new OpenClException(message, status);
  }
}
