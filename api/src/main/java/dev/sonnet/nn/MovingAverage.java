package dev.sonnet.nn;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * A debiased exponential moving average, the state {@link BatchNorm} keeps for its statistics
 * (Sonnet's {@code ExponentialMovingAverage}): on each update with value {@code v}, {@code counter
 * += 1; hidden -= (hidden - v) * (1 - decay); average = hidden / (1 - decay^counter)}. The division
 * removes the bias towards the zero start (Kingma &amp; Ba, 2015, section 3), so after one update
 * the average is {@code v}.
 *
 * <p><b>Shapes.</b> The value's shape is fixed by the first value ({@link #initialize} or {@link
 * #update}).
 *
 * <p><b>Variables</b>, all non-trainable: {@code counter:i64[]}, {@code hidden} and {@code average}
 * of the value's shape and dtype, all starting at zero.
 *
 * <pre>{@code
 * var ema = new MovingAverage(0.9);
 * ema.update(Tensor.scalar(2.0));   // average 2.0
 * ema.update(Tensor.scalar(4.0));   // average 0.58 / (1 - 0.81) = 3.0526...
 * }</pre>
 */
public final class MovingAverage extends Module {
  final double decay;

  @Param(trainable = false)
  Variable counter;

  @Param(trainable = false)
  Variable hidden;

  @Param(trainable = false)
  Variable average;

  /**
   * An average with the past weighted by {@code decay}, named {@code moving_average}.
   *
   * @param decay the weight of the past, in {@code [0, 1]}; no default: it sets the horizon, about
   *     {@code 1 / (1 - decay)} updates
   */
  public MovingAverage(double decay) {
    this(decay, null);
  }

  /**
   * Starts a moving average, e.g. {@code MovingAverage.builder(0.99).name("ema").build()}.
   *
   * @param decay the weight of the past, in {@code [0, 1]}; no default: it sets the horizon, about
   *     {@code 1 / (1 - decay)} updates
   */
  public static MovingAverageBuilder builder(double decay) {
    return new MovingAverageBuilder(decay);
  }

  /**
   * Every setting; called by {@link MovingAverageBuilder}, which documents each. Public because
   * modules in other packages (VectorQuantizerEMA) name their averages; pass a name, never null
   * (use {@link #MovingAverage(double)} for the default name).
   */
  @Settings
  public MovingAverage(double decay, String name) {
    super(name);
    if (!(decay >= 0 && decay <= 1)) {
      throw new IllegalArgumentException("MovingAverage: decay must be in [0, 1], got " + decay);
    }
    this.decay = decay;
  }

  /** Creates the variables (zeros) for values shaped like {@code value}, without updating. */
  public void initialize(Tensor value) {
    build(value.shape(), value.dtype());
  }

  @Build
  void create(Shape shape, DType dtype) {
    counter = variable("counter", Initializers.zeros(), DType.INT64, Shape.SCALAR, false);
    hidden = variable("hidden", Initializers.zeros(), dtype, shape, false);
    average = variable("average", Initializers.zeros(), dtype, shape, false);
  }

  /** Adds {@code value} to the average; gradients do not flow through the update. */
  public void update(Tensor value) {
    initialize(value);
    if (!value.shape().equals(hidden.shape())) {
      throw new ShapeException(
          "MovingAverage '"
              + path()
              + "': value "
              + value.shape()
              + " should have the shape of the first value, "
              + hidden.shape());
    }
    Tensor v = value.stopGradient();
    synchronized (this) {
      long n = counter.peek().toLongArray()[0] + 1;
      counter.assign(Tensor.of(new long[] {n}));
      Tensor h = hidden.peek();
      Tensor nh = h.sub(h.sub(v).mul(1 - decay));
      hidden.assign(nh);
      average.assign(nh.div(1 - Math.pow(decay, n)));
    }
  }

  /** The current average (zeros before the first update). */
  public Tensor value() {
    if (average == null) {
      throw new NotBuiltException(
          "MovingAverage '"
              + name()
              + "' has no value yet: update it"
              + " (or initialize it) first");
    }
    return average.asTensor();
  }

  /** Sets all state back to zero. */
  public void reset() {
    if (counter != null) {
      counter.assign(Tensor.of(new long[] {0}));
      hidden.assign(hidden.peek().zerosLike());
      average.assign(average.peek().zerosLike());
    }
  }
}
