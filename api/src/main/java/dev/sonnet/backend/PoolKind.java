package dev.sonnet.backend;

/**
 * Pooling reductions over a window. {@link #AVG} divides by the number of window positions that
 * fall inside the input (padding is not counted, as TensorFlow's {@code avg_pool}); {@link #MAX}
 * ignores padding, and its gradient goes to the first maximal position of each window.
 */
public enum PoolKind {
  MAX,
  AVG
}
