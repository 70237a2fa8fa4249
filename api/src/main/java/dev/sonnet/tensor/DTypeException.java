package dev.sonnet.tensor;

import dev.sonnet.SonnetException;

/**
 * An operand's dtype does not fit what an operation or module needs: two dtypes that differ (the
 * library never promotes silently), an integer tensor where floats are needed, indices that are not
 * integers. The message names the operation, both dtypes and shapes, and the cast that fixes it.
 * Shape and rank errors are {@link ShapeException}s.
 */
public class DTypeException extends SonnetException {
  private static final long serialVersionUID = 1L;

  public DTypeException(String message) {
    super(message);
  }

  /**
   * A {@link ShapeException} if the shapes differ, else a {@code DTypeException}: for checks that
   * compare both at once.
   */
  public static SonnetException shapeOrDtype(boolean shapesMatch, String message) {
    return shapesMatch ? new DTypeException(message) : new ShapeException(message);
  }
}
