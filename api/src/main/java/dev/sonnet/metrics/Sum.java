package dev.sonnet.metrics;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * The element-wise running sum of the values: variable {@code sum}, zeros of the first value's
 * shape and dtype.
 *
 * <pre>{@code
 * var s = new Sum();
 * s.update(Tensor.of(new float[] {1, 2}, 2));
 * s.call(Tensor.of(new float[] {3, 4}, 2));   // [4, 6]
 * }</pre>
 */
public final class Sum extends Metric {
  @Param(trainable = false)
  Variable sum;

  /** A sum named {@code sum}. */
  public Sum() {
    this(null);
  }

  /** Every setting: a sum named {@code name} (null for {@code sum}). */
  @Settings
  public Sum(String name) {
    super(name);
  }

  @Build
  void initialize(Tensor value) {
    sum = variable("sum", Initializers.zeros(), value.dtype(), value.shape(), false);
  }

  @Override
  public void update(Tensor value) {
    build(value);
    checkLike("Sum '" + name() + "'", sum, value);
    try (var pause = Dispatch.pause()) {
      sum.assignAdd(value);
    }
  }

  @Override
  public Tensor value() {
    if (sum == null) {
      throw notUpdated();
    }
    return sum.peek();
  }

  @Override
  public void reset() {
    if (sum != null) {
      sum.assign(sum.peek().zerosLike());
    }
  }
}
