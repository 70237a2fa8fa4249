package dev.sonnet.data;

/**
 * What {@link Dataset#batch} does with the last, smaller batch when the element count is not a
 * multiple of the batch size: tf.data's {@code drop_remainder}, PyTorch's {@code drop_last}.
 */
public enum Remainder {
  /**
   * Keep it: every element is seen once per pass, and the last batch may be smaller. The default of
   * tf.data and PyTorch, and right for evaluation.
   */
  KEEP,
  /**
   * Drop it: every batch has exactly the batch size. Right for training when shapes must not change
   * (a batch-size-dependent layer, a compiled step) or a tiny last batch would make a noisy step.
   */
  DROP
}
