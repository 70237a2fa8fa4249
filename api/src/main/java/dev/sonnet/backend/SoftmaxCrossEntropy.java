package dev.sonnet.backend;

/**
 * An optional capability of a {@link Backend}: softmax cross-entropy against integer class labels,
 * forward and backward, each in one pass over the logits (instead of the max, subtract, exp, sum,
 * log, one-hot, multiply and sum kernels of {@code log_softmax} and their gradients).
 *
 * <p>{@code logits} is dense {@code [rows, classes]} float32 or float64; {@code labels} holds
 * {@code rows} INT32 or INT64 class indices. A label outside {@code [0, classes)} is an error
 * thrown before anything is written (labels are index values only the kernel sees; the loss
 * functions have checked them already). Each row is computed in double: {@code m = max_c z_c},
 * {@code lse = m + log(sum_c exp(z_c - m))}; the results are rounded once to the logits' dtype. A
 * backend may decline (false, nothing written), and the caller then runs the unfused operations.
 */
public interface SoftmaxCrossEntropy {
  /** {@code loss[r] = lse_r - z[r, labels[r]]}; {@code loss} has {@code rows} elements. */
  boolean softmaxCrossEntropyLoss(
      DeviceBuffer logits, DeviceBuffer labels, int rows, int classes, DeviceBuffer loss);

  /**
   * {@code gradient[r, c] = (exp(z[r, c] - lse_r) - (c == labels[r] ? 1 : 0)) * upstream[r]}: the
   * gradient of {@code sum_r upstream[r] * loss[r]} with respect to the logits.
   */
  boolean softmaxCrossEntropyGradient(
      DeviceBuffer logits,
      DeviceBuffer labels,
      DeviceBuffer upstream,
      int rows,
      int classes,
      DeviceBuffer gradient);
}
