package dev.sonnet.runtime.opencl;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.HalfFloats;
import dev.sonnet.tensor.ShapeException;
import java.lang.ref.Reference;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;

/**
 * The OpenCL backend: buffers in device memory, kernels enqueued on one in-order queue.
 *
 * <p>Kernels only enqueue; the host waits in the {@code download} methods, in {@link
 * #synchronize()}, and where a kernel needs a value only the host can judge (gather and scatter-add
 * indices, integer divisors), which it reads first. Each kernel family lives in its own class
 * ({@link ElementwiseKernels}, {@link ReductionKernels}, {@link GemmKernels}, {@link CopyKernels},
 * {@link IndexKernels}, {@link ConvKernels}); this class only holds the device, the allocator and
 * the compiled programs, moves data, and routes calls. Calls are serialised, since kernel objects
 * carry their arguments as state.
 */
public final class OpenClBackend implements Backend {
  private final OpenClDevice device;
  private final DeviceMemory memory;
  private final ProgramCache programs;
  private final int localSize;
  private final GemmKernels.TileConfig tiles;
  private final ElementwiseKernels elementwise;
  private final ReductionKernels reductions;
  private final GemmKernels gemm;
  private final CopyKernels copies;
  private final IndexKernels indexing;
  private final ConvKernels conv;

  OpenClBackend(OpenClDevice device) {
    this.device = device;
    this.memory = new DeviceMemory(device);
    this.localSize =
        Math.min(
            device.isGpu() ? 256 : 64,
            Integer.highestOneBit(Math.max(1, device.maxWorkGroupSize())));
    this.programs = new ProgramCache(device, localSize);
    this.tiles = GemmKernels.TileConfig.forDevice(device);
    this.elementwise = new ElementwiseKernels(this);
    this.reductions = new ReductionKernels(this);
    this.gemm = new GemmKernels(this, tiles);
    this.copies = new CopyKernels(this);
    this.indexing = new IndexKernels(this);
    this.conv = new ConvKernels(this);
  }

  @Override
  public String name() {
    return OpenClBackendProvider.NAME;
  }

  @Override
  public String deviceName() {
    return "OpenCL: " + device.describe();
  }

  /** Bytes of device memory held by this process's live buffers. */
  public long bytesInUse() {
    return memory.bytesInUse();
  }

  /** Number of live device buffers. */
  public long buffersInUse() {
    return memory.buffersInUse();
  }

  /**
   * Runs a garbage collection and waits briefly for unreachable buffers to be freed; for tests and
   * memory reports (allocation does this by itself when memory runs short).
   */
  public void collectGarbage() {
    memory.collectGarbage();
  }

  // ---- memory ------------------------------------------------------------------------------

  @Override
  public synchronized DeviceBuffer allocate(DType dtype, long size) {
    if (size < 0) {
      throw new ShapeException("Cannot allocate a buffer of " + size + " elements");
    }
    programs.requireSupported(dtype);
    OpenClBuffer b = newBuffer(dtype, size, null);
    if (size > 0) {
      fillBytes(b, Pointer.to(new byte[] {0}), 1);
    }
    return b;
  }

  @Override
  public synchronized DeviceBuffer upload(float[] data) {
    return newBuffer(DType.FLOAT32, data.length, data.length == 0 ? null : Pointer.to(data));
  }

  @Override
  public synchronized DeviceBuffer upload(double[] data) {
    programs.requireSupported(DType.FLOAT64);
    return newBuffer(DType.FLOAT64, data.length, data.length == 0 ? null : Pointer.to(data));
  }

  @Override
  public synchronized DeviceBuffer upload(int[] data) {
    return newBuffer(DType.INT32, data.length, data.length == 0 ? null : Pointer.to(data));
  }

  @Override
  public synchronized DeviceBuffer upload(long[] data) {
    return newBuffer(DType.INT64, data.length, data.length == 0 ? null : Pointer.to(data));
  }

  @Override
  public synchronized DeviceBuffer upload(boolean[] data) {
    byte[] bytes = new byte[data.length];
    for (int i = 0; i < data.length; i++) {
      bytes[i] = (byte) (data[i] ? 1 : 0);
    }
    return newBuffer(DType.BOOL, data.length, data.length == 0 ? null : Pointer.to(bytes));
  }

  @Override
  public synchronized DeviceBuffer upload(DType dtype, short[] bits) {
    if (!dtype.isReducedPrecision()) {
      throw new OpenClException("upload(dtype, short[]) needs bf16 or f16, got " + dtype, 0);
    }
    return newBuffer(dtype, bits.length, bits.length == 0 ? null : Pointer.to(bits));
  }

  @Override
  public synchronized void download(DeviceBuffer src, float[] dst) {
    read(checked(src, DType.FLOAT32, dst.length), Pointer.to(dst));
  }

  @Override
  public synchronized void download(DeviceBuffer src, double[] dst) {
    read(checked(src, DType.FLOAT64, dst.length), Pointer.to(dst));
  }

  @Override
  public synchronized void download(DeviceBuffer src, int[] dst) {
    read(checked(src, DType.INT32, dst.length), Pointer.to(dst));
  }

  @Override
  public synchronized void download(DeviceBuffer src, long[] dst) {
    read(checked(src, DType.INT64, dst.length), Pointer.to(dst));
  }

  @Override
  public synchronized void download(DeviceBuffer src, boolean[] dst) {
    OpenClBuffer b = checked(src, DType.BOOL, dst.length);
    byte[] bytes = new byte[dst.length];
    read(b, Pointer.to(bytes));
    for (int i = 0; i < bytes.length; i++) {
      dst[i] = bytes[i] != 0;
    }
  }

  @Override
  public synchronized void download(DeviceBuffer src, short[] dst) {
    OpenClBuffer b = b(src);
    if (!b.dtype().isReducedPrecision()) {
      throw new OpenClException(
          "download(short[]) needs a bf16 or f16 buffer, got " + b.dtype(), 0);
    }
    read(checked(src, b.dtype(), dst.length), Pointer.to(dst));
  }

  @Override
  public synchronized void synchronize() {
    device.finish();
  }

  // ---- kernels -----------------------------------------------------------------------------

  @Override
  public synchronized void fill(DeviceBuffer out, double value) {
    OpenClBuffer o = b(out);
    if (o.size() == 0) {
      return;
    }
    switch (o.dtype()) {
      case FLOAT32 -> fillBytes(o, Pointer.to(new float[] {(float) value}), Sizeof.cl_float);
      case FLOAT64 -> fillBytes(o, Pointer.to(new double[] {value}), Sizeof.cl_double);
      case INT32 -> fillBytes(o, Pointer.to(new int[] {(int) value}), Sizeof.cl_int);
      case INT64 -> fillBytes(o, Pointer.to(new long[] {(long) value}), Sizeof.cl_long);
      case BOOL -> fillBytes(o, Pointer.to(new byte[] {(byte) (value != 0 ? 1 : 0)}), 1);
      case BFLOAT16, FLOAT16 ->
          fillBytes(o, Pointer.to(new short[] {HalfFloats.toBits(o.dtype(), (float) value)}), 2);
    }
  }

  @Override
  public synchronized void unary(UnaryKind kind, DeviceBuffer x, DeviceBuffer out) {
    elementwise.unary(kind, b(x), b(out));
  }

  @Override
  public synchronized void binary(
      BinaryKind kind,
      DeviceBuffer a,
      long[] aStrides,
      DeviceBuffer bb,
      long[] bStrides,
      DeviceBuffer out,
      int[] outShape) {
    elementwise.binary(kind, b(a), aStrides, b(bb), bStrides, b(out), outShape);
  }

  @Override
  public synchronized void where(
      DeviceBuffer cond,
      long[] condStrides,
      DeviceBuffer a,
      long[] aStrides,
      DeviceBuffer bb,
      long[] bStrides,
      DeviceBuffer out,
      int[] outShape) {
    copies.where(b(cond), condStrides, b(a), aStrides, b(bb), bStrides, b(out), outShape);
  }

  @Override
  public synchronized void reduce(
      ReduceKind kind, DeviceBuffer x, int[] shape, boolean[] reduceAxes, DeviceBuffer out) {
    reductions.reduce(kind, b(x), shape, reduceAxes, b(out));
  }

  @Override
  public synchronized void gemm(GemmSpec spec, DeviceBuffer a, DeviceBuffer bb, DeviceBuffer c) {
    gemm.gemm(spec, b(a), b(bb), b(c));
  }

  @Override
  public synchronized void copy(
      DeviceBuffer src,
      long srcOffset,
      long[] srcStrides,
      DeviceBuffer dst,
      long dstOffset,
      long[] dstStrides,
      int[] shape) {
    copies.copy(b(src), srcOffset, srcStrides, b(dst), dstOffset, dstStrides, shape);
  }

  @Override
  public synchronized void cast(DeviceBuffer x, DeviceBuffer out) {
    elementwise.cast(b(x), b(out));
  }

  @Override
  public synchronized void gather(
      DeviceBuffer x, DeviceBuffer indices, DeviceBuffer out, int outer, int axisSize, int inner) {
    indexing.gather(b(x), b(indices), b(out), outer, axisSize, inner);
  }

  @Override
  public synchronized void scatterAdd(
      DeviceBuffer updates,
      DeviceBuffer indices,
      DeviceBuffer out,
      int outer,
      int axisSize,
      int inner) {
    indexing.scatterAdd(b(updates), b(indices), b(out), outer, axisSize, inner);
  }

  @Override
  public synchronized void im2col(ConvGeometry geometry, DeviceBuffer x, DeviceBuffer cols) {
    conv.im2col(geometry, b(x), b(cols));
  }

  @Override
  public synchronized void col2im(ConvGeometry geometry, DeviceBuffer cols, DeviceBuffer x) {
    conv.col2im(geometry, b(cols), b(x));
  }

  @Override
  public synchronized void pool(
      PoolKind kind, ConvGeometry geometry, DeviceBuffer x, DeviceBuffer out) {
    conv.pool(kind, geometry, b(x), b(out));
  }

  @Override
  public synchronized void poolBackward(
      PoolKind kind,
      ConvGeometry geometry,
      DeviceBuffer x,
      DeviceBuffer gradOut,
      DeviceBuffer gradIn) {
    conv.poolBackward(kind, geometry, b(x), b(gradOut), b(gradIn));
  }

  @Override
  public String toString() {
    return "OpenClBackend(" + device.describe() + ")";
  }

  // ---- for the kernel families ---------------------------------------------------------------

  OpenClDevice device() {
    return device;
  }

  DeviceMemory memory() {
    return memory;
  }

  ProgramCache programs() {
    return programs;
  }

  /** The work-group size of one-dimensional kernels. */
  int localSize() {
    return localSize;
  }

  /** A call of kernel {@code name} of {@code program}. */
  KernelCall call(KernelProgram program, String name) {
    return new KernelCall(device, program, name);
  }

  /** A temporary device copy of {@code data}, e.g. a kernel's lookup table. */
  OpenClBuffer uploadInts(int[] data) {
    return newBuffer(DType.INT32, data.length, data.length == 0 ? null : Pointer.to(data));
  }

  /** Reads an integer buffer (INT32 or INT64) as longs, waiting for pending work. */
  long[] readIndices(OpenClBuffer buffer) {
    int n = elementCount(buffer.size(), "reading indices");
    long[] out = new long[n];
    if (buffer.dtype() == DType.INT64) {
      read(buffer, Pointer.to(out));
    } else {
      int[] v = new int[n];
      read(buffer, Pointer.to(v));
      for (int i = 0; i < n; i++) {
        out[i] = v[i];
      }
    }
    return out;
  }

  /** {@code n} as an int, or a clear error: kernels index elements with 32-bit integers. */
  static int elementCount(long n, String what) {
    if (n > Integer.MAX_VALUE) {
      throw new ShapeException(
          "The OpenCL backend indexes at most "
              + Integer.MAX_VALUE
              + " elements per kernel; "
              + what
              + " needs "
              + n
              + ". Split the tensor");
    }
    return (int) n;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private OpenClBuffer newBuffer(DType dtype, long size, Pointer host) {
    long bytes = size * OpenClBuffer.elementBytes(dtype);
    return new OpenClBuffer(this, dtype, size, memory.create(bytes, host, dtype, size), memory);
  }

  private void fillBytes(OpenClBuffer o, Pointer pattern, int patternBytes) {
    int status =
        CL.clEnqueueFillBuffer(
            device.queue(), o.mem(), pattern, patternBytes, 0, o.bytes(), 0, null, null);
    Reference.reachabilityFence(o);
    ClErrors.check(status, "clEnqueueFillBuffer");
  }

  private void read(OpenClBuffer src, Pointer dst) {
    if (src.size() == 0) {
      return;
    }
    int status =
        CL.clEnqueueReadBuffer(device.queue(), src.mem(), true, 0, src.bytes(), dst, 0, null, null);
    Reference.reachabilityFence(src);
    if (status != 0) {
      throw new OpenClException(
          ClErrors.describe("clEnqueueReadBuffer(" + src + ")", status)
              + (status == ClErrors.OUT_OF_RESOURCES || status == -14
                  ? "; an earlier kernel on the queue failed (often an out-of-range access or the "
                      + "device running out of memory)"
                  : ""),
          status);
    }
  }

  private OpenClBuffer checked(DeviceBuffer src, DType dtype, int length) {
    OpenClBuffer b = b(src);
    if (b.dtype() != dtype) {
      throw new ShapeException("download: buffer is " + b.dtype() + ", the array is for " + dtype);
    }
    if (b.size() != length) {
      throw new ShapeException(
          "download: buffer has " + b.size() + " elements, array has " + length);
    }
    return b;
  }

  private OpenClBuffer b(DeviceBuffer buffer) {
    return OpenClBuffer.of(buffer, this);
  }
}
