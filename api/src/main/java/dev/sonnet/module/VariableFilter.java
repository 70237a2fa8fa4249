package dev.sonnet.module;

import dev.sonnet.tensor.Variable;

/** Which variables an enumeration of a module keeps. */
enum VariableFilter {
  /** Every variable. */
  ALL,
  /** Those optimizers update: trainable variables held in trainable {@link Param} fields. */
  TRAINABLE,
  /** The rest: state such as moving averages. */
  NON_TRAINABLE;

  /** Whether a variable that is {@code trainable} (its own flag and its field's) is kept. */
  boolean keeps(boolean trainable) {
    return this == ALL || (this == TRAINABLE) == trainable;
  }

  /** Whether {@code v}, created without a field, is kept. */
  boolean keeps(Variable v) {
    return keeps(v.trainable());
  }
}
