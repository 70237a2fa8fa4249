package dev.sonnet.initializers;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Locale;

/**
 * Samples whose variance is {@code scale / n}, where {@code n} is the weight's fan-in, fan-out or
 * their average ({@link Fans}): the family behind Glorot, He and LeCun initialisation.
 *
 * <ul>
 *   <li>{@link Distribution#TRUNCATED_NORMAL}: a normal truncated at two standard deviations, with
 *       {@code stddev = sqrt(scale / n) / 0.87962566103423978}, the constant that restores the
 *       variance the truncation removes;
 *   <li>{@link Distribution#UNTRUNCATED_NORMAL}: a normal with {@code stddev = sqrt(scale / n)};
 *   <li>{@link Distribution#UNIFORM}: uniform in {@code [-limit, limit)} with {@code limit = sqrt(3
 *       scale / n)}.
 * </ul>
 *
 * <p>{@code n} is never taken below 1. Common members: {@code new VarianceScaling(1, FAN_AVG,
 * UNIFORM)} is Glorot uniform (Sonnet's GRU default), {@code (2, FAN_IN, TRUNCATED_NORMAL)} is He,
 * {@code (1, FAN_IN, TRUNCATED_NORMAL)} (all defaults) is LeCun. Float dtypes only.
 *
 * @param scale the variance numerator; default {@value #DEFAULT_SCALE} (LeCun)
 * @param mode which fan divides it; default {@link Mode#FAN_IN}, which keeps the forward
 *     activations' variance constant from layer to layer
 * @param distribution the shape of the samples; default {@link Distribution#TRUNCATED_NORMAL}, as
 *     Sonnet, which avoids rare very large initial weights
 */
public record VarianceScaling(double scale, Mode mode, Distribution distribution)
    implements Initializer {
  /** Sonnet's default scale. */
  public static final double DEFAULT_SCALE = 1.0;

  /** Sonnet's default mode. */
  public static final Mode DEFAULT_MODE = Mode.FAN_IN;

  /** Sonnet's default distribution. */
  public static final Distribution DEFAULT_DISTRIBUTION = Distribution.TRUNCATED_NORMAL;

  /**
   * The standard deviation of a standard normal truncated to {@code [-2, 2]}; dividing by it makes
   * the truncated samples' variance the one asked for.
   */
  public static final double TRUNCATION_STDDEV = 0.87962566103423978;

  /** Which fan the scale is divided by. */
  public enum Mode {
    /** Inputs per unit: keeps the variance of activations in the forward pass. */
    FAN_IN,
    /** Outputs per unit: keeps the variance of gradients in the backward pass. */
    FAN_OUT,
    /** Their average: Glorot and Bengio's compromise. */
    FAN_AVG;

    /** {@code "fan_in"}, {@code "fan_out"} or {@code "fan_avg"}, as Sonnet spells them. */
    public static Mode parse(String name) {
      for (Mode m : values()) {
        if (m.name().equalsIgnoreCase(name)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "VarianceScaling mode must be fan_in, fan_out or" + " fan_avg, got \"" + name + "\"");
    }
  }

  /** How the samples are distributed. */
  public enum Distribution {
    /** Normal, re-drawn beyond two standard deviations, then rescaled to the target variance. */
    TRUNCATED_NORMAL,
    /** Plain normal. */
    UNTRUNCATED_NORMAL,
    /** Uniform on a symmetric interval. */
    UNIFORM;

    /**
     * {@code "truncated_normal"}, {@code "untruncated_normal"} (or {@code "normal"}, which Sonnet's
     * code accepts in its place) or {@code "uniform"}.
     */
    public static Distribution parse(String name) {
      String n = name.toLowerCase(Locale.ROOT);
      if (n.equals("normal")) {
        return UNTRUNCATED_NORMAL;
      }
      for (Distribution d : values()) {
        if (d.name().toLowerCase(Locale.ROOT).equals(n)) {
          return d;
        }
      }
      throw new IllegalArgumentException(
          "VarianceScaling distribution must be truncated_normal,"
              + " untruncated_normal or uniform, got \""
              + name
              + "\"");
    }
  }

  /** Checks the arguments. */
  public VarianceScaling {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException(
          "VarianceScaling needs a finite scale > 0, got "
              + scale
              + " (1.0 for LeCun or Glorot, 2.0 for He with relu)");
    }
    if (mode == null || distribution == null) {
      throw new IllegalArgumentException(
          "VarianceScaling needs a mode and a distribution, got "
              + mode
              + " and "
              + distribution
              + "; the defaults are FAN_IN and TRUNCATED_NORMAL");
    }
  }

  /** All defaults: {@code scale=1, FAN_IN, TRUNCATED_NORMAL} (LeCun normal). */
  public VarianceScaling() {
    this(DEFAULT_SCALE, DEFAULT_MODE, DEFAULT_DISTRIBUTION);
  }

  /** From Sonnet's spellings, e.g. {@code (2.0, "fan_in", "truncated_normal")}. */
  public static VarianceScaling of(double scale, String mode, String distribution) {
    return new VarianceScaling(scale, Mode.parse(mode), Distribution.parse(distribution));
  }

  /** The variance the samples have for a weight of {@code shape}: {@code scale / max(1, n)}. */
  public double variance(Shape shape) {
    Fans fans = Fans.of(shape);
    double n =
        switch (mode) {
          case FAN_IN -> fans.fanIn();
          case FAN_OUT -> fans.fanOut();
          case FAN_AVG -> fans.fanAvg();
        };
    return scale / Math.max(1.0, n);
  }

  @Override
  public Tensor apply(Shape shape, DType dtype, Rng rng) {
    Initializers.checkFloat("VarianceScaling", dtype);
    double variance = variance(shape);
    return switch (distribution) {
      case TRUNCATED_NORMAL ->
          Tensor.truncatedNormal(rng, dtype, shape, 0, Math.sqrt(variance) / TRUNCATION_STDDEV);
      case UNTRUNCATED_NORMAL -> Tensor.randomNormal(rng, dtype, shape, 0, Math.sqrt(variance));
      case UNIFORM -> {
        double limit = Math.sqrt(3 * variance);
        yield Tensor.randomUniform(rng, dtype, shape, -limit, limit);
      }
    };
  }

  /** Like {@code VarianceScaling(scale=2.0, mode=FAN_IN, distribution=TRUNCATED_NORMAL)}. */
  @Override
  public String toString() {
    return "VarianceScaling(scale="
        + scale
        + ", mode="
        + mode
        + ", distribution="
        + distribution
        + ")";
  }
}
