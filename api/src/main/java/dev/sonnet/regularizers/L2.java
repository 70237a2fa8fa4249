package dev.sonnet.regularizers;

import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * {@code scale * sum_t sum t^2}: weight decay. As in Sonnet there is <em>no</em> factor 1/2 (unlike
 * TensorFlow's {@code l2_loss}), so its gradient is {@code 2 * scale * t}.
 *
 * @param scale the penalty's weight, {@code >= 0}
 */
public record L2(double scale) implements Regularizer {
  /** Checks the scale. */
  public L2 {
    Regularizer.checkScale("L2", scale);
  }

  @Override
  public Tensor apply(List<? extends Operand> tensors) {
    return Penalties.sum("L2", scale, tensors, t -> t.square().sum());
  }

  /** Like {@code L2(scale=0.01)}. */
  @Override
  public String toString() {
    return "L2(scale=" + scale + ")";
  }
}
