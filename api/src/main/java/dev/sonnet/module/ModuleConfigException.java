package dev.sonnet.module;

/**
 * A module configuration cannot be written (a setting holds a lambda, a module has no
 * {@code @Settings} constructor) or read back (a setting is missing, has the wrong kind of value,
 * names an unknown class). The message starts with where the setting is, such as {@code
 * Sequential.layers[1].wInit}, and says the fix.
 */
public class ModuleConfigException extends ModuleException {
  private static final long serialVersionUID = 1L;

  public ModuleConfigException(String message) {
    super(message);
  }

  public ModuleConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
