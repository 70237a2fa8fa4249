package dev.sonnet.regularizers;

import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * {@code scale * sum_t sum |t|}: pushes weights to exactly zero, giving sparse models.
 *
 * @param scale the penalty's weight, {@code >= 0}
 */
public record L1(double scale) implements Regularizer {
  /** Checks the scale. */
  public L1 {
    Regularizer.checkScale("L1", scale);
  }

  @Override
  public Tensor apply(List<? extends Operand> tensors) {
    return Penalties.sum("L1", scale, tensors, t -> t.abs().sum());
  }

  /** Like {@code L1(scale=0.01)}. */
  @Override
  public String toString() {
    return "L1(scale=" + scale + ")";
  }
}
