package dev.sonnet.tensor;

import dev.sonnet.SonnetException;

/** An operand's shape, rank or dtype does not fit what an operation needs. */
public class ShapeException extends SonnetException {
  private static final long serialVersionUID = 1L;

  public ShapeException(String message) {
    super(message);
  }
}
