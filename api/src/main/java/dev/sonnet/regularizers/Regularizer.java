package dev.sonnet.regularizers;

import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * A penalty on a list of tensors (usually a model's weights), returned as a scalar to add to the
 * loss yourself, as in Sonnet 2, which has no regularisation collections:
 *
 * <pre>{@code
 * Regularizer l2 = new L2(1e-4);
 * Tensor loss = dataLoss.add(l2.apply(model.trainableVariables()));
 * }</pre>
 *
 * <p>Variables are read through the gradient tape, so the penalty's gradient reaches them.
 */
@FunctionalInterface
public interface Regularizer {
  /**
   * The penalty of {@code tensors}: a scalar of their dtype (float32 zero for an empty list).
   *
   * @throws IllegalArgumentException if the tensors' dtypes differ or are not float
   */
  Tensor apply(List<? extends Operand> tensors);

  /** Checks a scale: finite and {@code >= 0}. */
  static double checkScale(String what, double scale) {
    if (!(scale >= 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException(
          what
              + " needs a finite scale >= 0, got "
              + scale
              + " (typical weight decay scales are 1e-5 to 1e-3)");
    }
    return scale;
  }
}
