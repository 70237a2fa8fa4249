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
 * The element-wise mean of the values so far, each value counting once: a {@link Sum} submodule
 * ({@code mean/sum/sum}) and an int64 {@code count}; {@link #value} is {@code sum / count}. Float
 * values only.
 *
 * <pre>{@code
 * var m = new Mean();
 * m.update(Tensor.scalar(1f));
 * m.call(Tensor.scalar(2f));   // 1.5
 * }</pre>
 */
public final class Mean extends Metric {
  final Sum sum = new Sum();

  @Param(trainable = false)
  Variable count;

  /** A mean named {@code mean}. */
  public Mean() {
    this(null);
  }

  /** Every setting: a mean named {@code name} (null for {@code mean}). */
  @Settings
  public Mean(String name) {
    super(name);
  }

  @Build
  void initialize(Tensor value) {
    if (!value.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "Mean averages float values, got "
              + value.dtype()
              + "; cast first: value.cast(DType.FLOAT32)");
    }
    count = variable("count", Initializers.zeros(), DType.INT64, Shape.SCALAR, false);
  }

  @Override
  public void update(Tensor value) {
    build(value);
    sum.update(value);
    try (var pause = Dispatch.pause()) {
      count.assignAdd(Tensor.scalar(1L));
    }
  }

  /** The number of values folded in since the last reset. */
  public long count() {
    return count == null ? 0 : count.peek().toLongArray()[0];
  }

  @Override
  public Tensor value() {
    if (count == null) {
      throw notUpdated();
    }
    try (var pause = Dispatch.pause()) {
      Tensor s = sum.value();
      return s.div(count.peek().cast(s.dtype()));
    }
  }

  @Override
  public void reset() {
    sum.reset();
    if (count != null) {
      count.assign(count.peek().zerosLike());
    }
  }
}
