package dev.sonnet.losses;

import dev.sonnet.tensor.Tensor;

/** How a loss combines its per-example values. */
public enum Reduction {
  /** The per-example values, shape {@code [batch...]}. */
  NONE,
  /** Their sum, a scalar. */
  SUM,
  /** Their mean, a scalar: the usual choice; keeps the learning rate independent of batch size. */
  MEAN;

  Tensor reduce(Tensor perExample) {
    return switch (this) {
      case NONE -> perExample;
      case SUM -> perExample.sum();
      case MEAN -> perExample.mean();
    };
  }
}
