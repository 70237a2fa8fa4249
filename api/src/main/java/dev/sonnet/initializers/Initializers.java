package dev.sonnet.initializers;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * The basic initializers. Each prints as its constructor call ({@code TruncatedNormal(mean=0.0,
 * stddev=0.5)}) and equals any other with the same arguments.
 *
 * <p>The usual choice for weights is {@link #truncatedNormal(double)} with standard deviation
 * {@code 1 / sqrt(fanIn)} (Sonnet's default for Linear and Conv); for biases, {@link #zeros()}.
 * {@link #varianceScaling}, {@link #orthogonal} and {@link #identity} cover the other schemes of
 * Sonnet's {@code snt.initializers}.
 */
public final class Initializers {
  private Initializers() {}

  /** All zeros; for any dtype. The default for biases. */
  public static Initializer zeros() {
    return Zeros.INSTANCE;
  }

  /** All ones; for any dtype. */
  public static Initializer ones() {
    return Ones.INSTANCE;
  }

  /** Every element {@code value} (converted to the variable's dtype). */
  public static Initializer constant(double value) {
    return new Constant(value);
  }

  /** Uniform samples in {@code [min, max)}; float dtypes only. */
  public static Initializer randomUniform(double min, double max) {
    if (!(min < max)) {
      throw new IllegalArgumentException(
          "randomUniform needs min < max, got min=" + min + ", max=" + max);
    }
    return new RandomUniform(min, max);
  }

  /** Normal samples; float dtypes only. */
  public static Initializer randomNormal(double mean, double stddev) {
    checkStddev("randomNormal", stddev);
    return new RandomNormal(mean, stddev);
  }

  /** Normal samples with mean 0, re-drawn beyond two standard deviations; float dtypes only. */
  public static Initializer truncatedNormal(double stddev) {
    return truncatedNormal(0.0, stddev);
  }

  /** Normal samples re-drawn beyond two standard deviations from the mean; float dtypes only. */
  public static Initializer truncatedNormal(double mean, double stddev) {
    checkStddev("truncatedNormal", stddev);
    return new TruncatedNormal(mean, stddev);
  }

  /** {@code gain} times the identity on the last two dimensions; see {@link Identity}. */
  public static Initializer identity(double gain) {
    return new Identity(gain);
  }

  /** The identity matrix (gain 1); see {@link Identity}. */
  public static Initializer identity() {
    return new Identity();
  }

  /** A random orthogonal matrix times {@code gain}; see {@link Orthogonal}. */
  public static Initializer orthogonal(double gain) {
    return new Orthogonal(gain);
  }

  /** A random orthogonal matrix (gain 1); see {@link Orthogonal}. */
  public static Initializer orthogonal() {
    return new Orthogonal();
  }

  /**
   * Samples of variance {@code scale / fan}; see {@link VarianceScaling}, which also parses
   * Sonnet's spellings ({@code VarianceScaling.of(2.0, "fan_in", "truncated_normal")}).
   */
  public static Initializer varianceScaling(
      double scale, VarianceScaling.Mode mode, VarianceScaling.Distribution distribution) {
    return new VarianceScaling(scale, mode, distribution);
  }

  /** Glorot uniform: {@code VarianceScaling(1, FAN_AVG, UNIFORM)}. */
  public static Initializer glorotUniform() {
    return new VarianceScaling(
        1.0, VarianceScaling.Mode.FAN_AVG, VarianceScaling.Distribution.UNIFORM);
  }

  /** He (Kaiming) for relu nets: {@code VarianceScaling(2, FAN_IN, TRUNCATED_NORMAL)}. */
  public static Initializer heNormal() {
    return new VarianceScaling(
        2.0, VarianceScaling.Mode.FAN_IN, VarianceScaling.Distribution.TRUNCATED_NORMAL);
  }

  private static void checkStddev(String what, double stddev) {
    if (!(stddev >= 0) || Double.isInfinite(stddev)) {
      throw new IllegalArgumentException(
          what
              + " needs a finite stddev >= 0, got "
              + stddev
              + " (for weights the usual value is 1 / Math.sqrt(fanIn))");
    }
  }

  static void checkFloat(String what, DType dtype) {
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException(
          what
              + " makes float32 or float64 values, not "
              + dtype
              + "; use zeros(), ones() or constant(v) for integer variables");
    }
  }

  enum Zeros implements Initializer {
    INSTANCE;

    @Override
    public Tensor apply(Shape shape, DType dtype, Rng rng) {
      return Tensor.zeros(dtype, shape);
    }

    @Override
    public String toString() {
      return "Zeros()";
    }
  }

  enum Ones implements Initializer {
    INSTANCE;

    @Override
    public Tensor apply(Shape shape, DType dtype, Rng rng) {
      return Tensor.ones(dtype, shape);
    }

    @Override
    public String toString() {
      return "Ones()";
    }
  }

  record Constant(double value) implements Initializer {
    @Override
    public Tensor apply(Shape shape, DType dtype, Rng rng) {
      return Tensor.full(dtype, value, shape.dims());
    }

    @Override
    public String toString() {
      return "Constant(value=" + value + ")";
    }
  }

  record RandomUniform(double min, double max) implements Initializer {
    @Override
    public Tensor apply(Shape shape, DType dtype, Rng rng) {
      checkFloat("randomUniform", dtype);
      return Tensor.randomUniform(rng, dtype, shape, min, max);
    }

    @Override
    public String toString() {
      return "RandomUniform(min=" + min + ", max=" + max + ")";
    }
  }

  record RandomNormal(double mean, double stddev) implements Initializer {
    @Override
    public Tensor apply(Shape shape, DType dtype, Rng rng) {
      checkFloat("randomNormal", dtype);
      return Tensor.randomNormal(rng, dtype, shape, mean, stddev);
    }

    @Override
    public String toString() {
      return "RandomNormal(mean=" + mean + ", stddev=" + stddev + ")";
    }
  }

  record TruncatedNormal(double mean, double stddev) implements Initializer {
    @Override
    public Tensor apply(Shape shape, DType dtype, Rng rng) {
      checkFloat("truncatedNormal", dtype);
      return Tensor.truncatedNormal(rng, dtype, shape, mean, stddev);
    }

    @Override
    public String toString() {
      return "TruncatedNormal(mean=" + mean + ", stddev=" + stddev + ")";
    }
  }

  record Seeded(Initializer inner, long seed) implements Initializer {
    @Override
    public Tensor apply(Shape shape, DType dtype, Rng rng) {
      return inner.apply(shape, dtype, new Rng(seed));
    }

    @Override
    public String toString() {
      String s = inner.toString();
      return s.endsWith("()")
          ? s.substring(0, s.length() - 1) + "seed=" + seed + ")"
          : s.substring(0, s.length() - 1) + ", seed=" + seed + ")";
    }
  }
}
