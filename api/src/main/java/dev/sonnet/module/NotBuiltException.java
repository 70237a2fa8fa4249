package dev.sonnet.module;

/**
 * Something that exists only once a module has been built was asked for too early: its variables
 * before the first call, or a size read from the first input.
 */
public class NotBuiltException extends ModuleException {
  private static final long serialVersionUID = 1L;

  public NotBuiltException(String message) {
    super(message);
  }
}
