package dev.sonnet.ops;

import dev.sonnet.SonnetException;

/**
 * A NaN or an infinity where {@link CheckNumerics} looked: the operation (or the checked tensor's
 * description) and the module path where it ran, when known, besides the message.
 */
public final class NonFiniteException extends SonnetException {
  private static final long serialVersionUID = 1L;

  private final String op;
  private final String modulePath;

  NonFiniteException(String op, String modulePath, String message) {
    super(message);
    this.op = op;
    this.modulePath = modulePath;
  }

  /** The operation whose output held the value, or what {@link CheckNumerics#check} was told. */
  public String op() {
    return op;
  }

  /** The path of the innermost module being called ({@code mlp/linear_1}), or null. */
  public String modulePath() {
    return modulePath;
  }
}
