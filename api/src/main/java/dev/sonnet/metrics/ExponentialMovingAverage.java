package dev.sonnet.metrics;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * A debiased exponential moving average, as Sonnet's {@code snt.ExponentialMovingAverage}:
 *
 * <pre>
 * counter += 1
 * hidden  -= (hidden - value) * (1 - decay)
 * average  = hidden / (1 - decay^counter)
 * </pre>
 *
 * <p>{@code hidden} starts at zero, so it is biased towards zero early on; dividing by {@code 1 -
 * decay^counter} removes that bias exactly (the first average is the first value), as Adam does for
 * its moments. Variables: int64 {@code counter}, {@code hidden} and {@code average} of the value's
 * shape and dtype. Float values only.
 *
 * <pre>{@code
 * var ema = new ExponentialMovingAverage(0.99);
 * ema.call(loss);
 * }</pre>
 */
public final class ExponentialMovingAverage extends Metric {
  final double decay;

  @Param(trainable = false)
  Variable counter;

  @Param(trainable = false)
  Variable hidden;

  @Param(trainable = false)
  Variable average;

  /**
   * An average named {@code exponential_moving_average}.
   *
   * @param decay the weight of the past, in {@code [0, 1)}: the average spans about {@code 1 / (1 -
   *     decay)} values; no default, as in Sonnet (0.99 is usual)
   */
  public ExponentialMovingAverage(double decay) {
    this(decay, null);
  }

  /**
   * Every setting: an average named {@code name} (null for {@code exponential_moving_average}); see
   * {@link #ExponentialMovingAverage(double)}.
   */
  @Settings
  public ExponentialMovingAverage(double decay, String name) {
    super(name);
    if (!(decay >= 0 && decay < 1)) {
      throw new IllegalArgumentException(
          "ExponentialMovingAverage needs 0 <= decay < 1, got "
              + decay
              + " (0.99 averages over about 100 values)");
    }
    this.decay = decay;
  }

  @Build
  void initialize(Tensor value) {
    if (!value.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "ExponentialMovingAverage averages float values, got " + value.dtype());
    }
    counter = variable("counter", Initializers.zeros(), DType.INT64, Shape.SCALAR, false);
    hidden = variable("hidden", Initializers.zeros(), value.dtype(), value.shape(), false);
    average = variable("average", Initializers.zeros(), value.dtype(), value.shape(), false);
  }

  @Override
  public void update(Tensor value) {
    build(value);
    checkLike("ExponentialMovingAverage '" + name() + "'", hidden, value);
    try (var pause = Dispatch.pause()) {
      counter.assignAdd(Tensor.scalar(1L));
      long n = counter.peek().toLongArray()[0];
      Tensor h = hidden.peek();
      Tensor next = h.sub(h.sub(value).mul(1 - decay));
      hidden.assign(next);
      average.assign(next.div(1 - Math.pow(decay, n)));
    }
  }

  @Override
  public Tensor value() {
    if (average == null) {
      throw notUpdated();
    }
    return average.peek();
  }

  @Override
  public void reset() {
    if (counter != null) {
      counter.assign(counter.peek().zerosLike());
      hidden.assign(hidden.peek().zerosLike());
      average.assign(average.peek().zerosLike());
    }
  }
}
