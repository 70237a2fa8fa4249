package dev.sonnet.module;

import dev.sonnet.SonnetException;

/**
 * A module was defined or used in a way the module system does not support: a variable created
 * outside a {@link Build} method, two variables with one name, build inputs of the wrong type, a
 * class compiled without the annotation processor. The message says which module and the fix.
 */
public class ModuleException extends SonnetException {
  private static final long serialVersionUID = 1L;

  public ModuleException(String message) {
    super(message);
  }

  public ModuleException(String message, Throwable cause) {
    super(message, cause);
  }
}
