package dev.sonnet.backend;

import dev.sonnet.tensor.DType;

/**
 * A compute device and the kernels that run on it: the one interface a runtime implements.
 *
 * <p><b>Contract.</b> Kernels only enqueue work; a backend may run them asynchronously, in order.
 * The host waits only in the {@code download} methods and {@link #synchronize()}. Output buffers
 * are allocated by the caller (the op layer in {@code dev.sonnet.ops}), which has already checked
 * shapes and dtypes, so kernels trust their arguments except where noted (index values, which only
 * the kernel sees). All buffers are dense, row-major; strides and offsets count elements.
 *
 * <p>The set of kernels is deliberately small: every tensor operation of the library is built from
 * these, so a new runtime implements this interface and nothing else. A runtime may add optional
 * capabilities by also implementing a capability interface of this package, which the op layer
 * looks for with {@code instanceof} and otherwise does without: {@link DirectConvolution}
 * (convolution products straight from the image, without {@link #im2col}'s column matrix) is the
 * one today.
 */
public interface Backend {
  /** The short name used to select this backend, e.g. {@code cpu} or {@code opencl}. */
  String name();

  /** A human-readable description of the device, for logs and benchmark reports. */
  String deviceName();

  // ---- memory ------------------------------------------------------------------------------

  /**
   * A new buffer of {@code size} elements, filled with zeros. Kernels that accumulate into their
   * output ({@link #col2im}, {@link #scatterAdd}, an accumulating {@link #gemm}) rely on that.
   */
  DeviceBuffer allocate(DType dtype, long size);

  /**
   * A new buffer of {@code size} elements whose contents are unspecified: for an output that the
   * next kernel overwrites entirely (unary, binary, where, cast, a dense copy, a non-accumulating
   * gemm with {@code k > 0}, a reduction of a non-empty input). A backend may hand out recycled
   * memory here (the CPU runtime reuses arrays of {@link DeviceBuffer#release released} buffers),
   * so a caller must never read an element before writing it. The default is {@link #allocate}.
   */
  default DeviceBuffer allocateUninitialized(DType dtype, long size) {
    return allocate(dtype, size);
  }

  /**
   * A new buffer holding a copy of {@code data}, its dtype given by the array's type.
   *
   * <p>Why one overload per primitive array, not one method over a generic host array: each maps to
   * exactly one dtype and one device copy, with no boxing, no intermediate buffer and nothing to
   * check at run time; a dtype the host has no array for (a future float16) is added as its own
   * pair of methods, so runtimes that lack it fail to compile instead of at run time. The five
   * {@code download} overloads mirror these.
   */
  DeviceBuffer upload(float[] data);

  DeviceBuffer upload(double[] data);

  DeviceBuffer upload(int[] data);

  DeviceBuffer upload(long[] data);

  DeviceBuffer upload(boolean[] data);

  /**
   * A new buffer of 16-bit floats ({@link DType#BFLOAT16} or {@link DType#FLOAT16}) holding {@code
   * bits}: one array type serves both formats, so the dtype says which.
   */
  DeviceBuffer upload(DType dtype, short[] bits);

  /**
   * Copies {@code src} (FLOAT32) into {@code dst}, waiting for pending work on it. The array's type
   * must be the buffer's dtype; the op layer converts (with a cast) before asking.
   */
  void download(DeviceBuffer src, float[] dst);

  void download(DeviceBuffer src, double[] dst);

  void download(DeviceBuffer src, int[] dst);

  void download(DeviceBuffer src, long[] dst);

  void download(DeviceBuffer src, boolean[] dst);

  /** Copies the raw bits of {@code src}, a 16-bit float buffer, into {@code dst}. */
  void download(DeviceBuffer src, short[] dst);

  /** Waits until every enqueued kernel has finished. */
  void synchronize();

  // ---- kernels -----------------------------------------------------------------------------

  /** Sets every element of {@code out} to {@code value} converted to its dtype. */
  void fill(DeviceBuffer out, double value);

  /** {@code out[i] = f(x[i])}; same dtype and size. */
  void unary(UnaryKind kind, DeviceBuffer x, DeviceBuffer out);

  /**
   * {@code out[idx] = f(a[idx . aStrides], b[idx . bStrides])} for every multi-index {@code idx} of
   * {@code outShape}; strides of 0 broadcast. {@code out} is dense in {@code outShape}.
   */
  void binary(
      BinaryKind kind,
      DeviceBuffer a,
      long[] aStrides,
      DeviceBuffer b,
      long[] bStrides,
      DeviceBuffer out,
      int[] outShape);

  /** {@code out[idx] = cond[..] ? a[..] : b[..]}, broadcasting like {@link #binary}. */
  void where(
      DeviceBuffer cond,
      long[] condStrides,
      DeviceBuffer a,
      long[] aStrides,
      DeviceBuffer b,
      long[] bStrides,
      DeviceBuffer out,
      int[] outShape);

  /**
   * Reduces dense {@code x} of {@code shape} over the axes flagged in {@code reduceAxes}; {@code
   * out} is dense in the shape with those axes removed (or set to 1: the same layout).
   */
  void reduce(ReduceKind kind, DeviceBuffer x, int[] shape, boolean[] reduceAxes, DeviceBuffer out);

  /** Batched, strided matrix product; see {@link GemmSpec}. Floating dtypes only. */
  void gemm(GemmSpec spec, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c);

  /**
   * Strided copy: for every multi-index {@code idx} of {@code shape}, {@code dst[dstOffset + idx .
   * dstStrides] = src[srcOffset + idx . srcStrides]}. Transpose, slice, concat, broadcast and pad
   * are all this kernel. Same dtype.
   */
  void copy(
      DeviceBuffer src,
      long srcOffset,
      long[] srcStrides,
      DeviceBuffer dst,
      long dstOffset,
      long[] dstStrides,
      int[] shape);

  /** Converts every element of {@code x} to {@code out}'s dtype (bool: nonzero is true). */
  void cast(DeviceBuffer x, DeviceBuffer out);

  /**
   * Gathers along an axis: {@code x} is viewed as {@code [outer, axisSize, inner]}, {@code indices}
   * (INT32 or INT64, {@code n} elements) select rows, {@code out} is {@code [outer, n, inner]}. An
   * index outside {@code [0, axisSize)} is an error.
   */
  void gather(
      DeviceBuffer x, DeviceBuffer indices, DeviceBuffer out, int outer, int axisSize, int inner);

  /**
   * The adjoint of {@link #gather}: {@code out[o, indices[j], i] += updates[o, j, i]}; {@code out}
   * is {@code [outer, axisSize, inner]} and is accumulated into, not overwritten.
   */
  void scatterAdd(
      DeviceBuffer updates,
      DeviceBuffer indices,
      DeviceBuffer out,
      int outer,
      int axisSize,
      int inner);

  /**
   * Unfolds convolution windows: {@code cols} is {@code [groups, batch * outVolume, kernelVolume *
   * channels / groups]}, each row one output position, its columns ordered kernel-offset-major,
   * channel-in-group-minor (matching a filter {@code [kernel..., channels / groups, out]}). Padding
   * reads as zero.
   */
  void im2col(ConvGeometry geometry, DeviceBuffer x, DeviceBuffer cols);

  /** The adjoint of {@link #im2col}: adds every column entry back into {@code x} (accumulates). */
  void col2im(ConvGeometry geometry, DeviceBuffer cols, DeviceBuffer x);

  /**
   * Pools {@code x [batch, inSpatial..., channels]} into {@code out [batch, outSpatial...,
   * channels]}.
   */
  void pool(PoolKind kind, ConvGeometry geometry, DeviceBuffer x, DeviceBuffer out);

  /**
   * The gradient of {@link #pool}: {@code gradIn} (same shape as {@code x}) is overwritten with the
   * pooled gradient of {@code gradOut}.
   */
  void poolBackward(
      PoolKind kind,
      ConvGeometry geometry,
      DeviceBuffer x,
      DeviceBuffer gradOut,
      DeviceBuffer gradIn);
}
