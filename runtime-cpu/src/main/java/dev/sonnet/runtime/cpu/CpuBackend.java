package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.DirectConvolution;
import dev.sonnet.backend.FusedUpdate;
import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.SoftmaxCrossEntropy;
import dev.sonnet.backend.ThreadBudget;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.backend.UnsignedByteUpload;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;

/**
 * The CPU backend: Java arrays as device memory, kernels run synchronously on the calling thread
 * and the shared {@link CpuParallel} pool.
 *
 * <p>Each kernel family lives in its own class, with a plain scalar loop (the reference) and a
 * Vector API path for the hot ones; {@link #vectorized()} picks which runs, so tests can compare
 * the two on one machine. This class only routes calls.
 */
public final class CpuBackend
    implements Backend,
        DirectConvolution,
        GemmEpilogue,
        FusedUpdate,
        SoftmaxCrossEntropy,
        UnsignedByteUpload,
        ThreadBudget {
  /** System property: {@code false} forces the scalar reference kernels everywhere. */
  public static final String VECTOR_PROPERTY = "sonnet.cpu.vector";

  /**
   * System property, for tests: {@code true} fills every {@link #allocateUninitialized} buffer with
   * garbage (NaN, -1, true), so an op that reads an element before writing it fails visibly.
   */
  public static final String POISON_PROPERTY = "sonnet.cpu.poisonUninitialized";

  private static final boolean POISON = Boolean.getBoolean(POISON_PROPERTY);

  /**
   * System property: {@code true} turns on the background kernel warm-up ({@link KernelWarmup})
   * that the first vector backend of a JVM then starts (off by default).
   */
  public static final String WARMUP_PROPERTY = KernelWarmup.PROPERTY;

  private final boolean vectorized;

  /** A backend using the Vector API unless {@value #VECTOR_PROPERTY} is {@code false}. */
  public CpuBackend() {
    this(!"false".equalsIgnoreCase(System.getProperty(VECTOR_PROPERTY, "true")));
  }

  /**
   * A backend that runs the vector kernels ({@code true}) or the scalar reference ones. Asking for
   * vector kernels in a JVM without the {@code jdk.incubator.vector} module gives the scalar ones.
   * The first vector backend of a JVM starts the {@link KernelWarmup} thread ({@value
   * #WARMUP_PROPERTY}).
   */
  public CpuBackend(boolean vectorized) {
    this.vectorized = vectorized && VectorInfo.available();
    KernelWarmup.startOnce(this);
  }

  /** Whether the Vector API kernels run (else the scalar reference kernels). */
  public boolean vectorized() {
    return vectorized;
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public int threads() {
    return CpuParallel.threads();
  }

  @Override
  public <T> T withThreadsOnThisThread(int threads, java.util.function.Supplier<T> body) {
    return CpuParallel.withThreadsOnThisThread(threads, body);
  }

  @Override
  public String deviceName() {
    return "CPU, "
        + CpuParallel.threads()
        + " threads, "
        + (vectorized ? VectorInfo.describe() : "scalar reference kernels");
  }

  // ---- memory ------------------------------------------------------------------------------

  @Override
  public DeviceBuffer allocate(DType dtype, long size) {
    return CpuBuffer.allocate(this, dtype, checkedSize(size));
  }

  /**
   * A buffer with unspecified contents: the array of a released buffer of the same dtype and length
   * when {@link CpuArrayPool} holds one (no zeroing, no garbage), else a fresh array.
   */
  @Override
  public DeviceBuffer allocateUninitialized(DType dtype, long size) {
    CpuBuffer b = CpuBuffer.allocateUninitialized(this, dtype, checkedSize(size));
    if (POISON) {
      ElementwiseKernels.fill(b, dtype == DType.BOOL ? 1 : dtype.isFloating() ? Double.NaN : -1);
    }
    return b;
  }

  @Override
  public DeviceBuffer upload(float[] data) {
    return CpuBuffer.copyOf(this, DType.FLOAT32, data, data.length);
  }

  /**
   * Converts while copying: one pass over the bytes into a (pooled) float array, with no dependence
   * between elements and no intermediate array.
   */
  @Override
  public DeviceBuffer uploadUnsignedBytes(
      byte[] data, int offset, int length, float scale, float shift) {
    CpuBuffer b = CpuBuffer.allocateUninitialized(this, DType.FLOAT32, length);
    float[] out = b.f32();
    for (int i = 0; i < length; i++) {
      out[i] = (data[offset + i] & 0xff) * scale + shift;
    }
    return b;
  }

  @Override
  public DeviceBuffer upload(double[] data) {
    return CpuBuffer.copyOf(this, DType.FLOAT64, data, data.length);
  }

  @Override
  public DeviceBuffer upload(int[] data) {
    return CpuBuffer.copyOf(this, DType.INT32, data, data.length);
  }

  @Override
  public DeviceBuffer upload(long[] data) {
    return CpuBuffer.copyOf(this, DType.INT64, data, data.length);
  }

  @Override
  public DeviceBuffer upload(boolean[] data) {
    return CpuBuffer.copyOf(this, DType.BOOL, data, data.length);
  }

  @Override
  public DeviceBuffer upload(DType dtype, short[] bits) {
    CpuBuffer.checkReducedPrecision(dtype, "upload(dtype, short[])");
    return CpuBuffer.copyOf(this, dtype, bits, bits.length);
  }

  @Override
  public void download(DeviceBuffer src, float[] dst) {
    System.arraycopy(b(src).f32(), 0, dst, 0, checkLength(src, dst.length));
  }

  @Override
  public void download(DeviceBuffer src, double[] dst) {
    System.arraycopy(b(src).f64(), 0, dst, 0, checkLength(src, dst.length));
  }

  @Override
  public void download(DeviceBuffer src, int[] dst) {
    System.arraycopy(b(src).i32(), 0, dst, 0, checkLength(src, dst.length));
  }

  @Override
  public void download(DeviceBuffer src, long[] dst) {
    System.arraycopy(b(src).i64(), 0, dst, 0, checkLength(src, dst.length));
  }

  @Override
  public void download(DeviceBuffer src, boolean[] dst) {
    System.arraycopy(b(src).bool(), 0, dst, 0, checkLength(src, dst.length));
  }

  @Override
  public void download(DeviceBuffer src, short[] dst) {
    System.arraycopy(b(src).f16Bits(), 0, dst, 0, checkLength(src, dst.length));
  }

  @Override
  public void synchronize() {
    // Kernels complete before they return on the CPU.
  }

  // ---- kernels -----------------------------------------------------------------------------

  @Override
  public void fill(DeviceBuffer out, double value) {
    ElementwiseKernels.fill(b(out), value);
  }

  @Override
  public void unary(UnaryKind kind, DeviceBuffer x, DeviceBuffer out) {
    ElementwiseKernels.unary(kind, b(x), b(out), vectorized);
  }

  @Override
  public void binary(
      BinaryKind kind,
      DeviceBuffer a,
      long[] aStrides,
      DeviceBuffer bb,
      long[] bStrides,
      DeviceBuffer out,
      int[] outShape) {
    ElementwiseKernels.binary(kind, b(a), aStrides, b(bb), bStrides, b(out), outShape, vectorized);
  }

  @Override
  public void where(
      DeviceBuffer cond,
      long[] condStrides,
      DeviceBuffer a,
      long[] aStrides,
      DeviceBuffer bb,
      long[] bStrides,
      DeviceBuffer out,
      int[] outShape) {
    ElementwiseKernels.where(
        b(cond), condStrides, b(a), aStrides, b(bb), bStrides, b(out), outShape, vectorized);
  }

  @Override
  public void reduce(
      ReduceKind kind, DeviceBuffer x, int[] shape, boolean[] reduceAxes, DeviceBuffer out) {
    ReductionKernels.reduce(kind, b(x), shape, reduceAxes, b(out), vectorized);
  }

  @Override
  public void gemm(GemmSpec spec, DeviceBuffer a, DeviceBuffer bb, DeviceBuffer c) {
    GemmKernels.gemm(spec, b(a), b(bb), b(c), vectorized);
  }

  /**
   * Always accepts floating products: the float32 vector kernel finishes each strip of C in L1
   * ({@link GemmEpilogueKernels}); other dtypes and the scalar backend run the product, then the
   * epilogue over C ({@link GemmKernels} routes, small-row products included).
   */
  @Override
  public boolean gemmEpilogue(
      GemmSpec spec, DeviceBuffer a, DeviceBuffer bb, DeviceBuffer c, Epilogue epilogue) {
    if (!c.dtype().isFloating() || (spec.batch() > 1 && spec.cBatchStride() == 0)) {
      return false; // one C shared by every item would get the epilogue once per item
    }
    GemmKernels.gemmEpilogue(spec, b(a), b(bb), b(c), epilogue, vectorized);
    return true;
  }

  /**
   * {@link VectorGemmF32#packWhole}: float32 one-item products on the vector path, except those of
   * at most four rows (the small-row kernel, which reads B unpacked, serves them); the copy is a
   * heap array of {@code k * roundUp(n, 2 vectors)} floats, outside the pools.
   */
  @Override
  public DeviceBuffer packRightOperand(GemmSpec spec, DeviceBuffer bb) {
    if (!packs(spec, bb.dtype())
        || VectorGemmF32.packedLength(spec.k(), spec.n()) > Integer.MAX_VALUE - 16) {
      return null;
    }
    float[] packed = VectorGemmF32.packWhole(spec, b(bb).f32());
    return new CpuBuffer(this, DType.FLOAT32, packed, packed.length);
  }

  /**
   * Whether products shaped like {@code spec} use a prepacked op(B): float32 one-item products on
   * the vector path with rows, depth and columns, other than the few-row ones the small-row kernel
   * serves (it reads B unpacked).
   */
  private boolean packs(GemmSpec spec, DType dtype) {
    return vectorized
        && dtype == DType.FLOAT32
        && spec.batch() == 1
        && spec.m() > 0
        && spec.k() > 0
        && spec.n() > 0
        && !VectorGemvF32.handles(spec, DType.FLOAT32);
  }

  /**
   * {@link VectorGemmF32} reading the prepacked op(B); declines products of at most four rows (the
   * small-row kernel, which streams B unpacked, serves them) and a packed buffer of the wrong
   * length for the spec.
   */
  @Override
  public boolean gemmEpiloguePacked(
      GemmSpec spec, DeviceBuffer a, DeviceBuffer packedB, DeviceBuffer c, Epilogue epilogue) {
    if (!packs(spec, c.dtype())
        || packedB.dtype() != DType.FLOAT32
        || packedB.size() != VectorGemmF32.packedLength(spec.k(), spec.n())) {
      return false;
    }
    VectorGemmF32.gemm(
        spec, b(a).f32(), null, b(packedB).f32(), b(c).f32(), GemmEpilogueKernels.F32.of(epilogue));
    return true;
  }

  /**
   * Every rule for float32 and float64, one pass ({@link UpdateKernels}); the scalar reference
   * backend runs the same loops (they are its specification too).
   */
  @Override
  public boolean fusedUpdate(
      Rule rule, double[] hyper, DeviceBuffer[] in, DeviceBuffer[] out, long size) {
    KernelWarmup.noteOptimizerStep();
    if (!in[0].dtype().isFloating()) {
      return false;
    }
    CpuBuffer[] ins = new CpuBuffer[in.length];
    for (int i = 0; i < in.length; i++) ins[i] = b(in[i]);
    CpuBuffer[] outs = new CpuBuffer[out.length];
    for (int i = 0; i < out.length; i++) outs[i] = b(out[i]);
    UpdateKernels.update(rule, hyper, ins, outs, checkedSize(size));
    return true;
  }

  /** Floating logits, one row per example in double ({@link SoftmaxCrossEntropyKernels}). */
  @Override
  public boolean softmaxCrossEntropyLoss(
      DeviceBuffer logits, DeviceBuffer labels, int rows, int classes, DeviceBuffer loss) {
    if (!logits.dtype().isFloating()) {
      return false;
    }
    SoftmaxCrossEntropyKernels.loss(b(logits), b(labels), rows, classes, b(loss));
    return true;
  }

  @Override
  public boolean softmaxCrossEntropyGradient(
      DeviceBuffer logits,
      DeviceBuffer labels,
      DeviceBuffer upstream,
      int rows,
      int classes,
      DeviceBuffer gradient) {
    if (!logits.dtype().isFloating()) {
      return false;
    }
    SoftmaxCrossEntropyKernels.gradient(
        b(logits), b(labels), b(upstream), rows, classes, b(gradient));
    return true;
  }

  @Override
  public void copy(
      DeviceBuffer src,
      long srcOffset,
      long[] srcStrides,
      DeviceBuffer dst,
      long dstOffset,
      long[] dstStrides,
      int[] shape) {
    CopyKernels.copy(b(src), srcOffset, srcStrides, b(dst), dstOffset, dstStrides, shape);
  }

  @Override
  public void cast(DeviceBuffer x, DeviceBuffer out) {
    ElementwiseKernels.cast(b(x), b(out));
  }

  @Override
  public void gather(
      DeviceBuffer x, DeviceBuffer indices, DeviceBuffer out, int outer, int axisSize, int inner) {
    IndexKernels.gather(b(x), b(indices), b(out), outer, axisSize, inner);
  }

  @Override
  public void scatterAdd(
      DeviceBuffer updates,
      DeviceBuffer indices,
      DeviceBuffer out,
      int outer,
      int axisSize,
      int inner) {
    IndexKernels.scatterAdd(b(updates), b(indices), b(out), outer, axisSize, inner);
  }

  @Override
  public void im2col(ConvGeometry geometry, DeviceBuffer x, DeviceBuffer cols) {
    ConvKernels.im2col(geometry, b(x), b(cols), vectorized);
  }

  @Override
  public void col2im(ConvGeometry geometry, DeviceBuffer cols, DeviceBuffer x) {
    ConvKernels.col2im(geometry, b(cols), b(x), vectorized);
  }

  /**
   * The Vector API's direct kernels for float32: {@link NarrowConvF32} when the output has few
   * channels (it spreads input channels over the lanes), else {@link DirectConvF32}, for windows
   * that {@link DirectConvF32#handles} (deeper ones run faster as im2col + gemm); the scalar
   * backend always declines, so its im2col + gemm stays the reference.
   */
  @Override
  public boolean convolveDirect(
      ConvGeometry geometry, int outChannels, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y) {
    if (!vectorized
        || x.dtype() != DType.FLOAT32
        || !DirectConvF32.handles(geometry, outChannels)) {
      return false;
    }
    if (NarrowConvF32.handles(geometry, outChannels)) {
      NarrowConvF32.convolve(geometry, outChannels, b(x).f32(), b(w).f32(), b(y).f32());
    } else {
      DirectConvF32.convolve(geometry, outChannels, b(x).f32(), b(w).f32(), b(y).f32());
    }
    return true;
  }

  /**
   * {@link DirectConvF32} with its line epilogue ({@link VectorEpilogueRows}, the GEMM's epilogue):
   * the fused conv + bias + ReLU. Declines what {@link NarrowConvF32} would compute (the op layer
   * then runs the passes).
   */
  @Override
  public boolean convolveDirect(
      ConvGeometry geometry,
      int outChannels,
      DeviceBuffer x,
      DeviceBuffer w,
      DeviceBuffer bias,
      boolean relu,
      DeviceBuffer y) {
    if (!fusedDirectHandles(geometry, outChannels, x)) {
      return false;
    }
    DirectConvF32.convolve(
        geometry, outChannels, b(x).f32(), b(w).f32(), f32OrNull(bias), relu, b(y).f32());
    return true;
  }

  /** The float32 array of an optional buffer (a bias): null for none. */
  private static float[] f32OrNull(DeviceBuffer buffer) {
    return buffer == null ? null : b(buffer).f32();
  }

  /** The float64 array of an optional buffer: null for none. */
  private static double[] f64OrNull(DeviceBuffer buffer) {
    return buffer == null ? null : b(buffer).f64();
  }

  /**
   * Whether the direct kernel with its line epilogue computes {@code geometry}: float32 on the
   * vector path, not what {@link NarrowConvF32} would compute (the op layer then runs the passes).
   */
  private boolean fusedDirectHandles(ConvGeometry geometry, int outChannels, DeviceBuffer x) {
    return vectorized
        && x.dtype() == DType.FLOAT32
        && DirectConvF32.handles(geometry, outChannels)
        && !NarrowConvF32.handles(geometry, outChannels);
  }

  /**
   * {@link WinogradConvF32}: float32 on the vector path, for what {@link WinogradConvF32#handles}
   * accepts (3x3, stride 1, at least 8 input channels, whole vectors of output channels).
   */
  @Override
  public boolean convolveWinograd(
      ConvGeometry geometry,
      int outChannels,
      DeviceBuffer x,
      DeviceBuffer u,
      DeviceBuffer bias,
      boolean relu,
      boolean maxPool,
      DeviceBuffer y) {
    if (!vectorized
        || x.dtype() != DType.FLOAT32
        || !(maxPool
            ? WinogradConvF32.handlesPooled(geometry, outChannels)
            : WinogradConvF32.handles(geometry, outChannels))) {
      return false;
    }
    WinogradConvF32.convolve(
        geometry, outChannels, b(x).f32(), b(u).f32(), f32OrNull(bias), relu, maxPool, b(y).f32());
    return true;
  }

  /**
   * {@link DirectConvF32#convolvePooled}: float32, what the fused direct kernel computes, 2-d with
   * even output sizes.
   */
  @Override
  public boolean convolveDirectPooled(
      ConvGeometry geometry,
      int outChannels,
      DeviceBuffer x,
      DeviceBuffer w,
      DeviceBuffer bias,
      boolean relu,
      DeviceBuffer y) {
    if (!fusedDirectHandles(geometry, outChannels, x)
        || !DirectConvF32.handlesPooled(geometry, outChannels)) {
      return false;
    }
    DirectConvF32.convolvePooled(
        geometry, outChannels, b(x).f32(), b(w).f32(), f32OrNull(bias), relu, b(y).f32());
    return true;
  }

  /** {@link ReluBiasGradKernels}: float32 (vector or scalar) and float64. */
  @Override
  public boolean hasReluBiasGradient(DType dtype) {
    return dtype == DType.FLOAT32 || dtype == DType.FLOAT64;
  }

  @Override
  public boolean reluBiasGradient(
      DeviceBuffer y,
      DeviceBuffer upstream,
      long rows,
      int channels,
      DeviceBuffer dz,
      DeviceBuffer biasGradient) {
    if (!hasReluBiasGradient(y.dtype()) || rows * channels > Integer.MAX_VALUE) {
      return false;
    }
    if (y.dtype() == DType.FLOAT32) {
      ReluBiasGradKernels.f32(
          b(y).f32(),
          b(upstream).f32(),
          (int) rows,
          channels,
          b(dz).f32(),
          f32OrNull(biasGradient),
          vectorized);
    } else {
      ReluBiasGradKernels.f64(
          b(y).f64(),
          b(upstream).f64(),
          (int) rows,
          channels,
          b(dz).f64(),
          f64OrNull(biasGradient));
    }
    return true;
  }

  /** {@link DirectConvFilterGradF32} for the float32 geometries it handles (vector backend). */
  @Override
  public boolean convolveFilterGradientDirect(
      ConvGeometry geometry, int outChannels, DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw) {
    if (!vectorized
        || x.dtype() != DType.FLOAT32
        || !DirectConvFilterGradF32.handles(geometry, outChannels)) {
      return false;
    }
    DirectConvFilterGradF32.compute(geometry, outChannels, b(x).f32(), b(dy).f32(), b(dw).f32());
    return true;
  }

  /** {@link DirectConvInputGradF32} (stride 1) for the float32 geometries it handles. */
  @Override
  public boolean convolveInputGradientDirect(
      ConvGeometry geometry, int outChannels, DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx) {
    return vectorized
        && dy.dtype() == DType.FLOAT32
        && DirectConvInputGradF32.compute(
            geometry, outChannels, b(dy).f32(), b(w).f32(), b(dx).f32());
  }

  @Override
  public void pool(PoolKind kind, ConvGeometry geometry, DeviceBuffer x, DeviceBuffer out) {
    PoolKernels.pool(kind, geometry, b(x), b(out), vectorized);
  }

  @Override
  public void poolBackward(
      PoolKind kind,
      ConvGeometry geometry,
      DeviceBuffer x,
      DeviceBuffer gradOut,
      DeviceBuffer gradIn) {
    PoolKernels.poolBackward(kind, geometry, b(x), b(gradOut), b(gradIn), vectorized);
  }

  @Override
  public String toString() {
    return "CpuBackend(" + deviceName() + ")";
  }

  private static CpuBuffer b(DeviceBuffer buffer) {
    return CpuBuffer.of(buffer);
  }

  private static int checkedSize(long size) {
    if (size < 0 || size > Integer.MAX_VALUE - 8) {
      throw new ShapeException(
          "The CPU backend holds at most "
              + (Integer.MAX_VALUE - 8)
              + " elements per tensor; asked for "
              + size);
    }
    return (int) size;
  }

  private static int checkLength(DeviceBuffer src, int length) {
    if (src.size() != length) {
      throw new ShapeException(
          "download: buffer has " + src.size() + " elements, array has " + length);
    }
    return length;
  }
}
