package dev.sonnet.tensor;

import dev.sonnet.SonnetException;
import dev.sonnet.autodiff.Gradients;
import dev.sonnet.backend.Backend;
import dev.sonnet.backend.Backends;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.UnsignedByteUpload;
import dev.sonnet.ops.Activations;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.Elementwise;
import dev.sonnet.ops.LinearAlgebra;
import dev.sonnet.ops.PadMode;
import dev.sonnet.ops.Reductions;
import dev.sonnet.ops.ShapeOps;
import java.util.List;

/**
 * An immutable n-dimensional array of one {@link DType}, living in a {@link Backend}'s memory.
 *
 * <p>Tensors are values: every operation returns a new tensor and never changes its inputs.
 * Operations run through one dispatch point ({@link dev.sonnet.ops.Dispatch}), which lets gradient
 * tapes (and, later, graph tracers) observe them. The instance methods here are shorthands for the
 * static operations in {@code dev.sonnet.ops}; those classes document broadcasting, shapes and
 * gradients.
 *
 * <p>Creation methods put the tensor on the default backend ({@link Backends#getDefault()}) unless
 * given one; use {@link #to(Backend)} to move one. Their arguments come in one order: where the
 * values live or come from (a {@link Backend} or an {@link Rng}), the dtype, the shape, then the
 * values' parameters ({@code randomNormal(rng, FLOAT32, shape, mean, stddev)}); a shape given as
 * {@code int...} comes last ({@code full(FLOAT32, 0.5, 2, 3)}), as Java requires of varargs.
 * Reading values back ({@link #toFloatArray()} and friends) is where the host waits for a device.
 *
 * <p>Memory is freed when the tensor becomes unreachable; {@link #release()} frees it at once, and
 * a {@link TensorScope} frees every tensor created inside it when it closes.
 */
public final class Tensor implements Operand {
  private static final int PRINT_EDGE_ITEMS = 3;

  private final DeviceBuffer buffer;
  private final Shape shape;

  private Tensor(DeviceBuffer buffer, Shape shape) {
    this.buffer = buffer;
    this.shape = shape;
  }

  /**
   * Wraps a backend buffer as a tensor of {@code shape}. For op and runtime implementations; the
   * buffer must hold exactly {@code shape.size()} elements.
   */
  public static Tensor wrap(DeviceBuffer buffer, Shape shape) {
    if (buffer.size() != shape.size()) {
      throw new ShapeException(
          "Buffer of "
              + buffer.size()
              + " elements cannot hold shape "
              + shape
              + " ("
              + shape.size()
              + " elements)");
    }
    return new Tensor(buffer, shape);
  }

  /** A tensor on new memory, owned by the thread's open {@link TensorScope} if there is one. */
  private static Tensor fresh(DeviceBuffer buffer, Shape shape) {
    Tensor t = new Tensor(buffer, shape);
    TensorScope.track(t);
    return t;
  }

  // ---- creation ----------------------------------------------------------------------------

  /** A float32 tensor holding {@code data} (copied) in row-major order. */
  public static Tensor of(float[] data, int... shape) {
    Shape s = checkLength(data.length, shape);
    return fresh(Backends.getDefault().upload(data), s);
  }

  /** A float64 tensor holding {@code data} (copied) in row-major order. */
  public static Tensor of(double[] data, int... shape) {
    Shape s = checkLength(data.length, shape);
    return fresh(Backends.getDefault().upload(data), s);
  }

  /** An int32 tensor holding {@code data} (copied) in row-major order. */
  public static Tensor of(int[] data, int... shape) {
    Shape s = checkLength(data.length, shape);
    return fresh(Backends.getDefault().upload(data), s);
  }

  /** An int64 tensor holding {@code data} (copied) in row-major order. */
  public static Tensor of(long[] data, int... shape) {
    Shape s = checkLength(data.length, shape);
    return fresh(Backends.getDefault().upload(data), s);
  }

  /** A bool tensor holding {@code data} (copied) in row-major order. */
  public static Tensor of(boolean[] data, int... shape) {
    Shape s = checkLength(data.length, shape);
    return fresh(Backends.getDefault().upload(data), s);
  }

  /**
   * A float32 tensor from unsigned bytes, {@code (data[offset + i] & 0xff) * scale + shift}: raw
   * 8-bit images to network inputs in one step (for example {@code scale = 1 / 255f, shift = 0} for
   * {@code [0, 1]}, or {@code 2 / 255f, -1} for {@code [-1, 1]}). The backend converts while it
   * copies when it offers {@link UnsignedByteUpload} (the CPU runtime does); otherwise the library
   * converts on the host with the same float32 arithmetic, so the values are identical either way.
   *
   * @param data the bytes; elements {@code [offset, offset + shape.size())} are read
   * @param offset the first byte to read
   */
  public static Tensor ofUnsignedBytes(
      byte[] data, int offset, float scale, float shift, int... shape) {
    Shape s = Shape.of(shape);
    if (offset < 0 || s.size() > data.length - (long) offset) {
      throw new ShapeException(
          "ofUnsignedBytes: shape "
              + s
              + " needs "
              + s.size()
              + " bytes from offset "
              + offset
              + ", but the array has "
              + data.length);
    }
    int length = (int) s.size();
    Backend backend = Backends.getDefault();
    if (backend instanceof UnsignedByteUpload direct) {
      return fresh(direct.uploadUnsignedBytes(data, offset, length, scale, shift), s);
    }
    float[] converted = new float[length];
    for (int i = 0; i < length; i++) {
      converted[i] = (data[offset + i] & 0xff) * scale + shift;
    }
    return fresh(backend.upload(converted), s);
  }

  /**
   * A {@link DType#BFLOAT16} or {@link DType#FLOAT16} tensor from raw 16-bit patterns ({@link
   * HalfFloats#toBits(DType, float[])} makes them); {@code x.cast(DType.BFLOAT16)} is the usual way
   * to get one.
   */
  public static Tensor ofBits(DType dtype, short[] bits, int... shape) {
    if (!dtype.isReducedPrecision()) {
      throw new IllegalArgumentException(
          "Tensor.ofBits: " + dtype + " is not a 16-bit float type (bf16 or f16)");
    }
    Shape s = checkLength(bits.length, shape);
    return fresh(Backends.getDefault().upload(dtype, bits), s);
  }

  /** A float32 matrix from rows of equal length. */
  public static Tensor of(float[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    float[] flat = new float[rows.length * cols];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != cols) {
        throw new ShapeException(
            "Row " + r + " has " + rows[r].length + " elements, expected " + cols + " like row 0");
      }
      System.arraycopy(rows[r], 0, flat, r * cols, cols);
    }
    return of(flat, rows.length, cols);
  }

  /** A float32 scalar. */
  public static Tensor scalar(float value) {
    return of(new float[] {value});
  }

  /** A float64 scalar. */
  public static Tensor scalar(double value) {
    return of(new double[] {value});
  }

  /** An int32 scalar. */
  public static Tensor scalar(int value) {
    return of(new int[] {value});
  }

  /** An int64 scalar. */
  public static Tensor scalar(long value) {
    return of(new long[] {value});
  }

  /** A bool scalar. */
  public static Tensor scalar(boolean value) {
    return of(new boolean[] {value});
  }

  /** A scalar of {@code dtype} on {@code backend} holding {@code value} converted to it. */
  public static Tensor scalar(Backend backend, DType dtype, double value) {
    return full(backend, dtype, Shape.SCALAR, value);
  }

  /** A tensor of zeros. */
  public static Tensor zeros(DType dtype, int... shape) {
    return zeros(dtype, Shape.of(shape));
  }

  /** A tensor of zeros. */
  public static Tensor zeros(DType dtype, Shape shape) {
    return fresh(Backends.getDefault().allocate(dtype, shape.size()), shape);
  }

  /** A tensor of ones. */
  public static Tensor ones(DType dtype, int... shape) {
    return full(dtype, 1, shape);
  }

  /** A tensor of ones. */
  public static Tensor ones(DType dtype, Shape shape) {
    return full(Backends.getDefault(), dtype, shape, 1);
  }

  /** A tensor with every element {@code value} (converted to {@code dtype}). */
  public static Tensor full(DType dtype, double value, int... shape) {
    return full(Backends.getDefault(), dtype, Shape.of(shape), value);
  }

  /** A tensor on {@code backend} with every element {@code value}. */
  public static Tensor full(Backend backend, DType dtype, Shape shape, double value) {
    DeviceBuffer b = backend.allocate(dtype, shape.size());
    if (value != 0) {
      backend.fill(b, value);
    }
    return fresh(b, shape);
  }

  /** Zeros with this tensor's shape, dtype and backend. */
  public Tensor zerosLike() {
    return full(backend(), dtype(), shape, 0);
  }

  /** Ones with this tensor's shape, dtype and backend. */
  public Tensor onesLike() {
    return full(backend(), dtype(), shape, 1);
  }

  /** {@code [0, 1, ..., n-1]} as int64, like NumPy's {@code arange(n)}. */
  public static Tensor arange(int n) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return of(v, n);
  }

  /**
   * {@code start, start + step, ...} while below {@code stop} (above, for a negative step), in
   * {@code dtype}. Values are computed as {@code start + i * step}, so no error accumulates.
   */
  public static Tensor arange(DType dtype, double start, double stop, double step) {
    if (step == 0 || Double.isNaN(step)) {
      throw new IllegalArgumentException("arange: step must be nonzero, got " + step);
    }
    long n = Math.max(0, (long) Math.ceil((stop - start) / step));
    if (n > Integer.MAX_VALUE - 8) {
      throw new ShapeException(
          "arange("
              + start
              + ", "
              + stop
              + ", "
              + step
              + ") has "
              + n
              + " elements, too many for one tensor");
    }
    double[] v = new double[(int) n];
    for (int i = 0; i < n; i++) {
      v[i] = start + i * step;
    }
    return of(v, (int) n).cast(dtype);
  }

  /** Uniform samples in {@code [low, high)}. */
  public static Tensor randomUniform(Rng rng, DType dtype, Shape shape, double low, double high) {
    double[] v = new double[shape.intSize()];
    for (int i = 0; i < v.length; i++) {
      v[i] = low + (high - low) * rng.nextDouble();
    }
    return fromDoubles(v, shape, dtype);
  }

  /** Normal samples with the given mean and standard deviation. */
  public static Tensor randomNormal(Rng rng, DType dtype, Shape shape, double mean, double stddev) {
    double[] v = new double[shape.intSize()];
    for (int i = 0; i < v.length; i++) {
      v[i] = mean + stddev * rng.nextGaussian();
    }
    return fromDoubles(v, shape, dtype);
  }

  /**
   * Normal samples re-drawn until within two standard deviations of the mean (TensorFlow's {@code
   * truncated_normal}, the default weight initializer of Sonnet).
   */
  public static Tensor truncatedNormal(
      Rng rng, DType dtype, Shape shape, double mean, double stddev) {
    double[] v = new double[shape.intSize()];
    for (int i = 0; i < v.length; i++) {
      v[i] = mean + stddev * rng.nextTruncatedGaussian();
    }
    return fromDoubles(v, shape, dtype);
  }

  private static Tensor fromDoubles(double[] v, Shape shape, DType dtype) {
    Backend backend = Backends.getDefault();
    if (dtype == DType.FLOAT64) {
      return fresh(backend.upload(v), shape);
    }
    if (dtype == DType.FLOAT32) {
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = (float) v[i];
      }
      return fresh(backend.upload(f), shape);
    }
    throw new IllegalArgumentException("Random tensors must be float32 or float64, got " + dtype);
  }

  private static Shape checkLength(int length, int[] dims) {
    Shape s = dims.length == 0 && length != 1 ? Shape.of(length) : Shape.of(dims);
    if (s.size() != length) {
      throw new ShapeException(
          "Data of "
              + length
              + " elements does not fit shape "
              + s
              + " ("
              + s.size()
              + " elements)");
    }
    return s;
  }

  // ---- properties --------------------------------------------------------------------------

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public DType dtype() {
    return buffer.dtype();
  }

  /** Always this tensor: a tensor is its own value. */
  @Override
  public Tensor asTensor() {
    return this;
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.rank();
  }

  /** Size of {@code axis}; negative counts from the end. */
  public int dim(int axis) {
    return shape.dim(axis);
  }

  /** Number of elements. */
  public long size() {
    return shape.size();
  }

  /** The backend whose memory holds this tensor. */
  public Backend backend() {
    return buffer.backend();
  }

  /** The device memory behind this tensor (for op and runtime implementations). */
  public DeviceBuffer buffer() {
    if (buffer.isReleased()) {
      throw new SonnetException(
          "Tensor "
              + dtype()
              + shape
              + " was released (by release() or "
              + "by the TensorScope it was created in, when that closed) and can no longer be used; "
              + "to use a tensor after its scope, pass it to scope.keep(tensor) before the scope "
              + "closes");
    }
    return buffer;
  }

  /** True once this tensor's memory was freed ({@link #release()} or its {@link TensorScope}). */
  public boolean isReleased() {
    return buffer.isReleased();
  }

  /** The buffer, released or not: for {@link TensorScope}'s bookkeeping. */
  DeviceBuffer rawBuffer() {
    return buffer;
  }

  /**
   * Frees this tensor's device memory now (shared with reshapes of it: they are released too). A
   * backend may hand the memory to a later op's output at once (the CPU runtime recycles large
   * arrays this way, skipping their zeroing), so release only tensors nothing will read again.
   */
  public void release() {
    buffer.release();
  }

  /** A copy of this tensor on {@code target} (this tensor itself if already there). */
  public Tensor to(Backend target) {
    if (target == backend()) {
      return this;
    }
    DeviceBuffer b =
        switch (dtype()) {
          case FLOAT32 -> target.upload(toFloatArray());
          case FLOAT64 -> target.upload(toDoubleArray());
          case INT32 -> target.upload(toIntArray());
          case INT64 -> target.upload(toLongArray());
          case BOOL -> target.upload(toBooleanArray());
          case BFLOAT16, FLOAT16 -> target.upload(dtype(), toBits());
        };
    return fresh(b, shape);
  }

  // ---- read-back ---------------------------------------------------------------------------

  /** The values as floats (converted from other dtypes), row-major. Waits for the device. */
  public float[] toFloatArray() {
    Dispatch.valueRead(this);
    Tensor t = dtype() == DType.FLOAT32 ? this : cast(DType.FLOAT32);
    float[] out = new float[shape.intSize()];
    backend().download(t.buffer(), out);
    return out;
  }

  /**
   * The raw bits of a {@link DType#BFLOAT16} or {@link DType#FLOAT16} tensor, row-major ({@link
   * HalfFloats} converts them). Waits for the device.
   *
   * @throws IllegalStateException for other dtypes, which have no 16-bit representation
   */
  public short[] toBits() {
    if (!dtype().isReducedPrecision()) {
      throw new IllegalStateException(
          "toBits(): " + dtype() + shape + " is not a 16-bit float tensor; use toFloatArray()");
    }
    short[] out = new short[shape.intSize()];
    backend().download(buffer(), out);
    return out;
  }

  /** The values as doubles (converted from other dtypes), row-major. Waits for the device. */
  public double[] toDoubleArray() {
    Dispatch.valueRead(this);
    Tensor t = dtype() == DType.FLOAT64 ? this : cast(DType.FLOAT64);
    double[] out = new double[shape.intSize()];
    backend().download(t.buffer(), out);
    return out;
  }

  /** The values as ints (floats truncate toward zero), row-major. Waits for the device. */
  public int[] toIntArray() {
    Dispatch.valueRead(this);
    Tensor t = dtype() == DType.INT32 ? this : cast(DType.INT32);
    int[] out = new int[shape.intSize()];
    backend().download(t.buffer(), out);
    return out;
  }

  /** The values as longs (floats truncate toward zero), row-major. Waits for the device. */
  public long[] toLongArray() {
    Dispatch.valueRead(this);
    Tensor t = dtype() == DType.INT64 ? this : cast(DType.INT64);
    long[] out = new long[shape.intSize()];
    backend().download(t.buffer(), out);
    return out;
  }

  /** The values as booleans (nonzero is true), row-major. Waits for the device. */
  public boolean[] toBooleanArray() {
    Dispatch.valueRead(this);
    Tensor t = dtype() == DType.BOOL ? this : cast(DType.BOOL);
    boolean[] out = new boolean[shape.intSize()];
    backend().download(t.buffer(), out);
    return out;
  }

  /** The single value of a one-element tensor, as a double. */
  public double item() {
    if (shape.size() != 1) {
      throw new ShapeException("item() needs a tensor of one element, got shape " + shape);
    }
    return toDoubleArray()[0];
  }

  /** The single value of a one-element tensor, as a float. */
  public float floatValue() {
    return (float) item();
  }

  /** The single value of a one-element tensor, as an int. */
  public int intValue() {
    if (shape.size() != 1) {
      throw new ShapeException("intValue() needs a tensor of one element, got shape " + shape);
    }
    return toIntArray()[0];
  }

  // ---- elementwise -------------------------------------------------------------------------

  public Tensor neg() {
    return Elementwise.neg(this);
  }

  public Tensor abs() {
    return Elementwise.abs(this);
  }

  public Tensor exp() {
    return Elementwise.exp(this);
  }

  public Tensor log() {
    return Elementwise.log(this);
  }

  public Tensor log1p() {
    return Elementwise.log1p(this);
  }

  public Tensor sqrt() {
    return Elementwise.sqrt(this);
  }

  public Tensor rsqrt() {
    return Elementwise.rsqrt(this);
  }

  public Tensor square() {
    return Elementwise.square(this);
  }

  public Tensor tanh() {
    return Elementwise.tanh(this);
  }

  public Tensor sigmoid() {
    return Elementwise.sigmoid(this);
  }

  public Tensor relu() {
    return Elementwise.relu(this);
  }

  public Tensor gelu() {
    return Elementwise.gelu(this);
  }

  public Tensor softplus() {
    return Elementwise.softplus(this);
  }

  public Tensor sign() {
    return Elementwise.sign(this);
  }

  public Tensor sin() {
    return Elementwise.sin(this);
  }

  public Tensor cos() {
    return Elementwise.cos(this);
  }

  public Tensor reciprocal() {
    return Elementwise.reciprocal(this);
  }

  public Tensor add(Operand other) {
    return Elementwise.add(this, other);
  }

  /** Adds a scalar of this tensor's dtype. */
  public Tensor add(double value) {
    return Elementwise.add(this, scalarLike(value));
  }

  public Tensor sub(Operand other) {
    return Elementwise.sub(this, other);
  }

  public Tensor sub(double value) {
    return Elementwise.sub(this, scalarLike(value));
  }

  public Tensor mul(Operand other) {
    return Elementwise.mul(this, other);
  }

  public Tensor mul(double value) {
    return Elementwise.mul(this, scalarLike(value));
  }

  public Tensor div(Operand other) {
    return Elementwise.div(this, other);
  }

  public Tensor div(double value) {
    return Elementwise.div(this, scalarLike(value));
  }

  public Tensor pow(Operand exponent) {
    return Elementwise.pow(this, exponent);
  }

  public Tensor pow(double exponent) {
    return Elementwise.pow(this, scalarLike(exponent));
  }

  public Tensor maximum(Operand other) {
    return Elementwise.maximum(this, other);
  }

  public Tensor maximum(double value) {
    return Elementwise.maximum(this, scalarLike(value));
  }

  public Tensor minimum(Operand other) {
    return Elementwise.minimum(this, other);
  }

  public Tensor minimum(double value) {
    return Elementwise.minimum(this, scalarLike(value));
  }

  /**
   * Bool, true where the element is neither NaN nor an infinity; see {@link Elementwise#isFinite}.
   */
  public Tensor isFinite() {
    return Elementwise.isFinite(this);
  }

  public Tensor equal(Operand other) {
    return Elementwise.equal(this, other);
  }

  public Tensor notEqual(Operand other) {
    return Elementwise.notEqual(this, other);
  }

  public Tensor less(Operand other) {
    return Elementwise.less(this, other);
  }

  public Tensor lessEqual(Operand other) {
    return Elementwise.lessEqual(this, other);
  }

  public Tensor greater(Operand other) {
    return Elementwise.greater(this, other);
  }

  public Tensor greaterEqual(Operand other) {
    return Elementwise.greaterEqual(this, other);
  }

  /** Elementwise {@code this ? a : b}; this tensor must be bool. */
  public Tensor where(Operand a, Operand b) {
    return Elementwise.where(this, a, b);
  }

  /** Limits every element to {@code [min, max]}. */
  public Tensor clip(double min, double max) {
    return Elementwise.clip(this, min, max);
  }

  /** Converts to {@code dtype}; the gradient flows between floating dtypes. */
  public Tensor cast(DType dtype) {
    return Elementwise.cast(this, dtype);
  }

  /** The same values, but gradients do not flow back through this point. */
  public Tensor stopGradient() {
    return Gradients.stop(this);
  }

  /** A scalar of this tensor's dtype on its backend. */
  private Tensor scalarLike(double value) {
    return scalar(backend(), dtype(), value);
  }

  // ---- reductions --------------------------------------------------------------------------

  /** Sum over {@code axes} (all axes when none are given). */
  public Tensor sum(int... axes) {
    return Reductions.sum(this, false, axes);
  }

  public Tensor sum(boolean keepDims, int... axes) {
    return Reductions.sum(this, keepDims, axes);
  }

  public Tensor mean(int... axes) {
    return Reductions.mean(this, false, axes);
  }

  public Tensor mean(boolean keepDims, int... axes) {
    return Reductions.mean(this, keepDims, axes);
  }

  public Tensor max(int... axes) {
    return Reductions.max(this, false, axes);
  }

  public Tensor max(boolean keepDims, int... axes) {
    return Reductions.max(this, keepDims, axes);
  }

  public Tensor min(int... axes) {
    return Reductions.min(this, false, axes);
  }

  public Tensor min(boolean keepDims, int... axes) {
    return Reductions.min(this, keepDims, axes);
  }

  /** Product over {@code axes} (all axes when none are given). */
  public Tensor prod(int... axes) {
    return Reductions.prod(this, false, axes);
  }

  /** Index (int64) of the largest element along {@code axis}; first one on ties. */
  public Tensor argmax(int axis) {
    return Reductions.argmax(this, axis);
  }

  /** Index (int64) of the smallest element along {@code axis}; first one on ties. */
  public Tensor argmin(int axis) {
    return Reductions.argmin(this, axis);
  }

  /** Population variance (divides by n) over {@code axes}. */
  public Tensor variance(int... axes) {
    return Reductions.variance(this, false, axes);
  }

  public Tensor variance(boolean keepDims, int... axes) {
    return Reductions.variance(this, keepDims, axes);
  }

  /** {@code log(sum(exp(x)))} over {@code axes}, computed without overflow. */
  public Tensor logsumexp(int... axes) {
    return Reductions.logsumexp(this, false, axes);
  }

  public Tensor logsumexp(boolean keepDims, int... axes) {
    return Reductions.logsumexp(this, keepDims, axes);
  }

  // ---- linear algebra and activations ------------------------------------------------------

  /** Matrix product with NumPy's {@code matmul} rules (batch dims broadcast). */
  public Tensor matmul(Operand other) {
    return LinearAlgebra.matmul(this, other);
  }

  /** Softmax along {@code axis}. */
  public Tensor softmax(int axis) {
    return Activations.softmax(this, axis);
  }

  /** Log-softmax along {@code axis}. */
  public Tensor logSoftmax(int axis) {
    return Activations.logSoftmax(this, axis);
  }

  // ---- shape -------------------------------------------------------------------------------

  /** The same values in a new shape; one dimension may be -1 (inferred). */
  public Tensor reshape(int... shape) {
    return ShapeOps.reshape(this, shape);
  }

  /** Swaps the last two axes (matrix transpose); needs rank >= 2. */
  public Tensor transpose() {
    return ShapeOps.transpose(this);
  }

  /** Reorders axes: output axis {@code i} is input axis {@code axes[i]}. */
  public Tensor permute(int... axes) {
    return ShapeOps.permute(this, axes);
  }

  /** Inserts a size-1 axis at {@code axis}. */
  public Tensor expandDims(int axis) {
    return ShapeOps.expandDims(this, axis);
  }

  /** Removes the given size-1 axes (all size-1 axes when none are given). */
  public Tensor squeeze(int... axes) {
    return ShapeOps.squeeze(this, axes);
  }

  /** Repeats size-1 dimensions to reach {@code shape} (NumPy broadcasting). */
  public Tensor broadcastTo(Shape shape) {
    return ShapeOps.broadcastTo(this, shape);
  }

  /**
   * A strided slice: along axis {@code i}, elements {@code begin[i], begin[i] + strides[i], ...}
   * before {@code end[i]}, with Python's rules for negative and out-of-range bounds.
   */
  public Tensor slice(int[] begin, int[] end, int[] strides) {
    return ShapeOps.slice(this, begin, end, strides);
  }

  /** Rows of this tensor along {@code axis} selected by integer {@code indices}. */
  public Tensor gather(Operand indices, int axis) {
    return ShapeOps.gather(this, indices, axis);
  }

  /**
   * Pads with {@code constant}: {@code paddings[i] = {before, after}} for axis {@code i}. See
   * {@link ShapeOps#pad} for the reflect and symmetric modes.
   */
  public Tensor pad(int[][] paddings, double constant) {
    return ShapeOps.pad(this, paddings, PadMode.CONSTANT, constant);
  }

  /** One-hot encoding of this integer tensor: a new last axis of {@code depth}. */
  public Tensor oneHot(int depth, DType dtype) {
    return ShapeOps.oneHot(this, depth, dtype);
  }

  /** Splits into {@code count} equal parts along {@code axis}. */
  public List<Tensor> split(int count, int axis) {
    return ShapeOps.split(this, count, axis);
  }

  // ---- printing ----------------------------------------------------------------------------

  /**
   * Like {@code Tensor(f32[2, 3], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])}; long dimensions show their
   * first and last three entries around {@code ...}. Reads the values (waits for the device).
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Tensor(").append(dtype()).append(shape).append(", ");
    if (buffer.isReleased()) {
      return sb.append("<released>)").toString();
    }
    String[] values = formattedValues();
    appendNested(sb, values, shape.dims(), shape.strides(), 0, 0);
    return sb.append(')').toString();
  }

  private String[] formattedValues() {
    int n = shape.intSize();
    String[] out = new String[n];
    switch (dtype()) {
      case FLOAT32, BFLOAT16, FLOAT16 -> {
        float[] v = toFloatArray();
        for (int i = 0; i < n; i++) {
          out[i] = Float.toString(v[i]);
        }
      }
      case FLOAT64 -> {
        double[] v = toDoubleArray();
        for (int i = 0; i < n; i++) {
          out[i] = Double.toString(v[i]);
        }
      }
      case INT32, INT64 -> {
        long[] v = toLongArray();
        for (int i = 0; i < n; i++) {
          out[i] = Long.toString(v[i]);
        }
      }
      case BOOL -> {
        boolean[] v = toBooleanArray();
        for (int i = 0; i < n; i++) {
          out[i] = Boolean.toString(v[i]);
        }
      }
    }
    return out;
  }

  private static void appendNested(
      StringBuilder sb, String[] values, int[] dims, long[] strides, int axis, long offset) {
    if (axis == dims.length) {
      sb.append(values[(int) offset]);
      return;
    }
    sb.append('[');
    int n = dims[axis];
    boolean abbreviate = n > 2 * PRINT_EDGE_ITEMS;
    for (int i = 0; i < n; i++) {
      if (abbreviate && i == PRINT_EDGE_ITEMS) {
        sb.append("..., ");
        i = n - PRINT_EDGE_ITEMS;
      }
      appendNested(sb, values, dims, strides, axis + 1, offset + i * strides[axis]);
      if (i < n - 1) {
        sb.append(", ");
      }
    }
    sb.append(']');
  }
}
