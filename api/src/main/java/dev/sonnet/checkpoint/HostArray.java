package dev.sonnet.checkpoint;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.Backends;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.HalfFloats;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor's values in host memory: a dtype, a shape and one Java array, row-major. What checkpoint
 * files are read into and written from, so that reading and writing them needs no backend; {@link
 * #toTensor} and {@link #of(Tensor)} cross to and from device memory.
 */
public final class HostArray {
  private final DType dtype;
  private final Shape shape;
  private final Object data;

  private HostArray(DType dtype, Shape shape, Object data, int length) {
    if (shape.size() != length) {
      throw new ShapeException(
          "An array of "
              + length
              + " elements cannot have shape "
              + shape
              + " ("
              + shape.size()
              + " elements)");
    }
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  /** float32 values (not copied: do not change the array afterwards). */
  public static HostArray of(float[] data, Shape shape) {
    return new HostArray(DType.FLOAT32, shape, data, data.length);
  }

  /** float64 values (not copied). */
  public static HostArray of(double[] data, Shape shape) {
    return new HostArray(DType.FLOAT64, shape, data, data.length);
  }

  /** int32 values (not copied). */
  public static HostArray of(int[] data, Shape shape) {
    return new HostArray(DType.INT32, shape, data, data.length);
  }

  /** int64 values (not copied). */
  public static HostArray of(long[] data, Shape shape) {
    return new HostArray(DType.INT64, shape, data, data.length);
  }

  /** bool values (not copied). */
  public static HostArray of(boolean[] data, Shape shape) {
    return new HostArray(DType.BOOL, shape, data, data.length);
  }

  /** Raw 16-bit float {@code bits} of {@code dtype} (bf16 or f16; not copied). */
  public static HostArray ofBits(DType dtype, short[] bits, Shape shape) {
    if (!dtype.isReducedPrecision()) {
      throw new CheckpointException("16-bit values need dtype bf16 or f16, not " + dtype);
    }
    return new HostArray(dtype, shape, bits, bits.length);
  }

  /** A copy of {@code tensor}'s values; waits for its device. */
  public static HostArray of(Tensor tensor) {
    Shape s = tensor.shape();
    return switch (tensor.dtype()) {
      case FLOAT32 -> of(tensor.toFloatArray(), s);
      case FLOAT64 -> of(tensor.toDoubleArray(), s);
      case INT32 -> of(tensor.toIntArray(), s);
      case INT64 -> of(tensor.toLongArray(), s);
      case BOOL -> of(tensor.toBooleanArray(), s);
      case BFLOAT16, FLOAT16 -> ofBits(tensor.dtype(), tensor.toBits(), s);
    };
  }

  /** Zeros of {@code dtype} and {@code shape}. */
  static HostArray zeros(DType dtype, Shape shape) {
    int n = shape.intSize();
    return switch (dtype) {
      case FLOAT32 -> of(new float[n], shape);
      case FLOAT64 -> of(new double[n], shape);
      case INT32 -> of(new int[n], shape);
      case INT64 -> of(new long[n], shape);
      case BOOL -> of(new boolean[n], shape);
      case BFLOAT16, FLOAT16 -> ofBits(dtype, new short[n], shape);
    };
  }

  public DType dtype() {
    return dtype;
  }

  public Shape shape() {
    return shape;
  }

  /** The number of elements. */
  public int size() {
    return shape.intSize();
  }

  /** The values; throws unless the dtype is float32. Not a copy. */
  public float[] floats() {
    return as(float[].class, DType.FLOAT32);
  }

  /** The values; throws unless the dtype is float64. Not a copy. */
  public double[] doubles() {
    return as(double[].class, DType.FLOAT64);
  }

  /** The values; throws unless the dtype is int32. Not a copy. */
  public int[] ints() {
    return as(int[].class, DType.INT32);
  }

  /** The values; throws unless the dtype is int64. Not a copy. */
  public long[] longs() {
    return as(long[].class, DType.INT64);
  }

  /** The values; throws unless the dtype is bool. Not a copy. */
  public boolean[] booleans() {
    return as(boolean[].class, DType.BOOL);
  }

  /** The raw bits; throws unless the dtype is bf16 or f16. Not a copy. */
  public short[] bits() {
    if (!dtype.isReducedPrecision()) {
      throw new CheckpointException("This array is " + dtype + shape + ", not bf16 or f16");
    }
    return (short[]) data;
  }

  /**
   * These values as {@code target}: this array itself when the dtype is already {@code target}, the
   * exact float32 values of 16-bit floats when {@code target} is float32.
   */
  HostArray as(DType target) {
    if (target == dtype) {
      return this;
    }
    if (dtype.isReducedPrecision() && target == DType.FLOAT32) {
      return of(HalfFloats.fromBits(dtype, (short[]) data), shape);
    }
    throw new CheckpointException("A " + dtype + shape + " value cannot be read as " + target);
  }

  private <T> T as(Class<T> type, DType expected) {
    if (dtype != expected) {
      throw new CheckpointException("This array is " + dtype + shape + ", not " + expected);
    }
    return type.cast(data);
  }

  /** The values as a tensor on the default backend. */
  public Tensor toTensor() {
    return toTensor(Backends.getDefault());
  }

  /** The values as a tensor on {@code backend}. */
  public Tensor toTensor(Backend backend) {
    DeviceBuffer b =
        switch (dtype) {
          case FLOAT32 -> backend.upload((float[]) data);
          case FLOAT64 -> backend.upload((double[]) data);
          case INT32 -> backend.upload((int[]) data);
          case INT64 -> backend.upload((long[]) data);
          case BOOL -> backend.upload((boolean[]) data);
          case BFLOAT16, FLOAT16 -> backend.upload(dtype, (short[]) data);
        };
    return Tensor.wrap(b, shape);
  }

  /** The transpose of a matrix (rank 2); for reading files that store {@code [out, in]}. */
  HostArray transpose2d() {
    if (shape.rank() != 2) {
      throw new ShapeException("Only a matrix can be transposed here; got shape " + shape);
    }
    int rows = shape.dim(0);
    int cols = shape.dim(1);
    Shape t = Shape.of(cols, rows);
    HostArray out = zeros(dtype, t);
    Object src = data;
    Object dst = out.data;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int from = r * cols + c;
        int to = c * rows + r;
        switch (dtype) {
          case FLOAT32 -> ((float[]) dst)[to] = ((float[]) src)[from];
          case FLOAT64 -> ((double[]) dst)[to] = ((double[]) src)[from];
          case INT32 -> ((int[]) dst)[to] = ((int[]) src)[from];
          case INT64 -> ((long[]) dst)[to] = ((long[]) src)[from];
          case BOOL -> ((boolean[]) dst)[to] = ((boolean[]) src)[from];
          case BFLOAT16, FLOAT16 -> ((short[]) dst)[to] = ((short[]) src)[from];
        }
      }
    }
    return out;
  }

  /** The raw array, for the file codec. */
  Object data() {
    return data;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof HostArray h) || h.dtype != dtype || !h.shape.equals(shape)) {
      return false;
    }
    return switch (dtype) {
      case FLOAT32 -> Arrays.equals((float[]) data, (float[]) h.data);
      case FLOAT64 -> Arrays.equals((double[]) data, (double[]) h.data);
      case INT32 -> Arrays.equals((int[]) data, (int[]) h.data);
      case INT64 -> Arrays.equals((long[]) data, (long[]) h.data);
      case BOOL -> Arrays.equals((boolean[]) data, (boolean[]) h.data);
      case BFLOAT16, FLOAT16 -> Arrays.equals((short[]) data, (short[]) h.data);
    };
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, shape);
  }

  /** Like {@code HostArray(f32[2, 3])}. */
  @Override
  public String toString() {
    return "HostArray(" + dtype + shape + ")";
  }
}
