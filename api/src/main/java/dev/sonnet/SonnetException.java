package dev.sonnet;

/**
 * The root of every exception the library throws on purpose. Unchecked, like the rest of the JDK's
 * argument errors: a wrong shape is a programming error, not a condition to recover from.
 *
 * <p>Messages follow one rule: say what happened, name the numbers involved (shapes, dtypes, module
 * paths), and where there is a usual cause, say the fix.
 */
public class SonnetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SonnetException(String message) {
    super(message);
  }

  public SonnetException(String message, Throwable cause) {
    super(message, cause);
  }
}
