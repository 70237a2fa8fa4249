package dev.sonnet.runtime.cpu;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.Backend;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * CPU memory: one Java array of the buffer's dtype ({@code float[]}, {@code double[]}, {@code
 * int[]}, {@code long[]}, {@code boolean[]}, or {@code short[]} holding the raw bits of bfloat16
 * and float16). The garbage collector frees it; {@link #release()} drops the reference at once so
 * that later use fails loudly, and hands a large array to {@link CpuArrayPool} for {@link
 * CpuBackend#allocateUninitialized} to reuse.
 *
 * <p><b>Ownership invariant</b> (what makes that reuse safe): a buffer is the only holder of its
 * array. Arrays are created here or cloned on upload, never wrapped twice; tensors that share
 * memory (reshapes, {@code Dispatch}'s fresh identities) share this buffer object, not the array,
 * so after {@link #release()} every one of them sees the buffer as released. Kernels read the array
 * for the duration of a call only and never store it. Releasing a buffer while a kernel on another
 * thread is still using it is a use-after-free, as on any device.
 */
final class CpuBuffer implements DeviceBuffer {
  private static final VarHandle ARRAY;

  static {
    try {
      ARRAY = MethodHandles.lookup().findVarHandle(CpuBuffer.class, "array", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final CpuBackend backend;
  private final DType dtype;
  private final int size;

  @SuppressWarnings("unused") // also written through ARRAY
  private Object array;

  CpuBuffer(CpuBackend backend, DType dtype, Object array, int size) {
    this.backend = backend;
    this.dtype = dtype;
    this.array = array;
    this.size = size;
  }

  /**
   * A buffer whose contents are unspecified: a released array of the same dtype and length when
   * {@link CpuArrayPool} has one, else a fresh (zeroed) one.
   */
  static CpuBuffer allocateUninitialized(CpuBackend backend, DType dtype, int size) {
    Object array = CpuArrayPool.take(dtype, size);
    if (array == null) {
      return allocate(backend, dtype, size);
    }
    return new CpuBuffer(backend, dtype, array, size);
  }

  /**
   * A buffer of zeros: a pooled array cleared (cheaper than a fresh one, which the JVM zeroes as
   * well and the collector must later find) or a fresh array.
   */
  static CpuBuffer allocate(CpuBackend backend, DType dtype, int size) {
    Object pooled = CpuArrayPool.take(dtype, size);
    if (pooled != null) {
      clear(pooled);
      return new CpuBuffer(backend, dtype, pooled, size);
    }
    Object array =
        switch (dtype) {
          case FLOAT32 -> new float[size];
          case FLOAT64 -> new double[size];
          case INT32 -> new int[size];
          case INT64 -> new long[size];
          case BOOL -> new boolean[size];
          case BFLOAT16, FLOAT16 -> new short[size];
        };
    return new CpuBuffer(backend, dtype, array, size);
  }

  /** A buffer holding a copy of {@code data}, an array of {@code dtype}'s Java type. */
  static CpuBuffer copyOf(CpuBackend backend, DType dtype, Object data, int length) {
    Object array = CpuArrayPool.take(dtype, length);
    if (array == null) {
      array =
          switch (dtype) {
            case FLOAT32 -> ((float[]) data).clone();
            case FLOAT64 -> ((double[]) data).clone();
            case INT32 -> ((int[]) data).clone();
            case INT64 -> ((long[]) data).clone();
            case BOOL -> ((boolean[]) data).clone();
            case BFLOAT16, FLOAT16 -> ((short[]) data).clone();
          };
    } else {
      System.arraycopy(data, 0, array, 0, length);
    }
    return new CpuBuffer(backend, dtype, array, length);
  }

  private static void clear(Object array) {
    switch (array) {
      case float[] a -> Arrays.fill(a, 0f);
      case double[] a -> Arrays.fill(a, 0d);
      case int[] a -> Arrays.fill(a, 0);
      case long[] a -> Arrays.fill(a, 0L);
      case boolean[] a -> Arrays.fill(a, false);
      case short[] a -> Arrays.fill(a, (short) 0);
      default -> throw new IllegalStateException("not a CPU array: " + array.getClass());
    }
  }

  /** Casts a buffer handed to the CPU backend, rejecting other backends' buffers. */
  static CpuBuffer of(DeviceBuffer buffer) {
    if (buffer instanceof CpuBuffer b) {
      return b;
    }
    throw new SonnetException(
        "The CPU backend was given a buffer of backend '"
            + buffer.backend().name()
            + "'; move the tensor with tensor.to(backend)");
  }

  @Override
  public Backend backend() {
    return backend;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public long size() {
    return size;
  }

  /** Element count as an int (CPU buffers are single Java arrays). */
  int length() {
    return size;
  }

  /**
   * Frees the array now. Exactly one caller wins the array (an atomic swap to null), so concurrent
   * or repeated releases can never pool one array twice.
   */
  @Override
  public void release() {
    Object a = ARRAY.getAndSet(this, (Object) null);
    if (a != null) {
      CpuArrayPool.offer(dtype, a, size);
    }
  }

  @Override
  public boolean isReleased() {
    return array == null;
  }

  /** The backing array, whatever its type. */
  Object array() {
    Object a = array;
    if (a == null) {
      throw new SonnetException("CPU buffer " + dtype + "[" + size + "] was released");
    }
    return a;
  }

  float[] f32() {
    return (float[]) typed(DType.FLOAT32);
  }

  double[] f64() {
    return (double[]) typed(DType.FLOAT64);
  }

  int[] i32() {
    return (int[]) typed(DType.INT32);
  }

  long[] i64() {
    return (long[]) typed(DType.INT64);
  }

  boolean[] bool() {
    return (boolean[]) typed(DType.BOOL);
  }

  /** The raw bits of a bfloat16 or float16 buffer. */
  short[] f16Bits() {
    checkReducedPrecision(dtype, "a 16-bit kernel");
    return (short[]) array();
  }

  /** Refuses a dtype that is not one of the two 16-bit float formats, naming {@code what}. */
  static void checkReducedPrecision(DType dtype, String what) {
    if (!dtype.isReducedPrecision()) {
      throw new SonnetException(what + " needs bf16 or f16, got " + dtype);
    }
  }

  private Object typed(DType expected) {
    if (dtype != expected) {
      throw new SonnetException("CPU buffer is " + dtype + ", a kernel expected " + expected);
    }
    return array();
  }
}
