package dev.sonnet.optimizers;

import dev.sonnet.tensor.Variable;
import java.util.Arrays;

/**
 * The learning rate of an optimizer as a function of the step: a constant, a schedule, or a {@link
 * Variable} you assign between steps (how Sonnet users schedule rates, issue #247).
 *
 * <pre>{@code
 * new SGD(0.1);                                                   // constant
 * new SGD(LearningRate.exponentialDecay(0.1, 1000, 0.96, false)); // schedule
 * Variable lr = new Variable("lr", Tensor.scalar(0.1f), false);
 * new SGD(LearningRate.of(lr));                                   // lr.assign(...) to change it
 * new SGD(step -> step < 500 ? 0.1 : 0.01);                       // any function of the step
 * }</pre>
 */
@FunctionalInterface
public interface LearningRate {
  /**
   * The rate for the update after {@code step} updates have been applied (0 for the first), the
   * value of the optimizer's {@code step} variable at that moment.
   */
  double at(long step);

  /** The same rate at every step. */
  static LearningRate constant(double rate) {
    return new Constant(rate);
  }

  /** The current value of {@code variable} (a scalar), read at every step. */
  static LearningRate of(Variable variable) {
    if (variable.shape().rank() != 0 || !variable.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "A learning-rate variable must be a float scalar, got "
              + variable
              + "; create it as new Variable(\"lr\", Tensor.scalar(0.1f), false)");
    }
    return new FromVariable(variable);
  }

  /**
   * {@code initial * decayRate^(step / decaySteps)}, the exponent rounded down when {@code
   * staircase} (as TensorFlow's {@code ExponentialDecay}).
   */
  static LearningRate exponentialDecay(
      double initial, long decaySteps, double decayRate, boolean staircase) {
    if (decaySteps <= 0) {
      throw new IllegalArgumentException(
          "exponentialDecay needs decaySteps > 0, got " + decaySteps);
    }
    return new ExponentialDecay(initial, decaySteps, decayRate, staircase);
  }

  /**
   * {@code initial * (1 + cos(pi * min(step, decaySteps) / decaySteps)) / 2}: starts at {@code
   * initial} and glides to 0 at {@code decaySteps} (Loshchilov and Hutter's SGDR without restarts,
   * TensorFlow's {@code CosineDecay}). Large steps early, small ones to settle at the end, with no
   * boundaries to tune.
   */
  static LearningRate cosineDecay(double initial, long decaySteps) {
    if (decaySteps <= 0) {
      throw new IllegalArgumentException("cosineDecay needs decaySteps > 0, got " + decaySteps);
    }
    return new CosineDecay(initial, decaySteps);
  }

  /**
   * {@code values[0]} until step {@code boundaries[0]}, then {@code values[1]} until {@code
   * boundaries[1]}, ..., then the last value: {@code values} has one more element than {@code
   * boundaries}, which must increase.
   */
  static LearningRate piecewiseConstant(long[] boundaries, double[] values) {
    if (values.length != boundaries.length + 1) {
      throw new IllegalArgumentException(
          "piecewiseConstant needs one more value than"
              + " boundaries, got "
              + values.length
              + " values and "
              + boundaries.length
              + " boundaries");
    }
    for (int i = 1; i < boundaries.length; i++) {
      if (boundaries[i] <= boundaries[i - 1]) {
        throw new IllegalArgumentException(
            "piecewiseConstant needs increasing boundaries, got " + Arrays.toString(boundaries));
      }
    }
    return new PiecewiseConstant(boundaries.clone(), values.clone());
  }

  /** A constant rate; prints as the number: {@code SGD(learningRate=0.1)}. */
  record Constant(double rate) implements LearningRate {
    /** Checks the rate. */
    public Constant {
      if (!Double.isFinite(rate) || rate < 0) {
        throw new IllegalArgumentException(
            "A learning rate must be finite and >= 0, got "
                + rate
                + "; typical values are 0.1 for SGD and 0.001 for Adam");
      }
    }

    @Override
    public double at(long step) {
      return rate;
    }

    @Override
    public String toString() {
      return Double.toString(rate);
    }
  }

  /** The value of a scalar variable. */
  record FromVariable(Variable variable) implements LearningRate {
    @Override
    public double at(long step) {
      return variable.peek().item();
    }

    @Override
    public String toString() {
      return "Variable(" + variable.name() + ")";
    }
  }

  /** See {@link LearningRate#exponentialDecay}. */
  record ExponentialDecay(double initial, long decaySteps, double decayRate, boolean staircase)
      implements LearningRate {
    @Override
    public double at(long step) {
      double p = (double) step / decaySteps;
      return initial * Math.pow(decayRate, staircase ? Math.floor(p) : p);
    }

    @Override
    public String toString() {
      return "ExponentialDecay(initial="
          + initial
          + ", decaySteps="
          + decaySteps
          + ", decayRate="
          + decayRate
          + (staircase ? ", staircase=true)" : ")");
    }
  }

  /** See {@link LearningRate#cosineDecay}. */
  record CosineDecay(double initial, long decaySteps) implements LearningRate {
    @Override
    public double at(long step) {
      double p = Math.min(step, decaySteps) / (double) decaySteps;
      return initial * 0.5 * (1 + Math.cos(Math.PI * p));
    }

    @Override
    public String toString() {
      return "CosineDecay(initial=" + initial + ", decaySteps=" + decaySteps + ")";
    }
  }

  /** See {@link LearningRate#piecewiseConstant}. */
  record PiecewiseConstant(long[] boundaries, double[] values) implements LearningRate {
    @Override
    public double at(long step) {
      int i = 0;
      while (i < boundaries.length && step >= boundaries[i]) {
        i++;
      }
      return values[i];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PiecewiseConstant p
          && Arrays.equals(boundaries, p.boundaries)
          && Arrays.equals(values, p.values);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(boundaries) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "PiecewiseConstant(boundaries="
          + Arrays.toString(boundaries)
          + ", values="
          + Arrays.toString(values)
          + ")";
    }
  }
}
