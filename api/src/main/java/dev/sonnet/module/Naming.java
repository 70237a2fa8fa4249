package dev.sonnet.module;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** Default names and uniquification; see {@link Module} for the rules. */
final class Naming {
  /** Guards every module's name resolution. A lock, not a counter: names never depend on it. */
  static final Object LOCK = new Object();

  private static final Pattern VALID = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Naming() {}

  /**
   * The default module name for a class: its simple name in snake_case. An underscore goes before
   * an upper-case letter that follows a lower-case letter ({@code MyLinear -> my_linear}), that
   * ends a run of capitals and starts a word ({@code MLPHead -> mlp_head}), or that follows a digit
   * and starts a word ({@code Cifar10ConvNet -> cifar10_conv_net}); a capital after a digit that
   * starts no word stays attached ({@code Conv2D -> conv2d}, {@code Conv2DTranspose ->
   * conv2d_transpose}). Everything is then lower-cased.
   */
  static String snakeCase(String className) {
    if (className.isEmpty()) {
      return "module";
    }
    StringBuilder sb = new StringBuilder(className.length() + 4);
    for (int i = 0; i < className.length(); i++) {
      char c = className.charAt(i);
      if (i > 0 && Character.isUpperCase(c)) {
        char prev = className.charAt(i - 1);
        boolean nextLower =
            i + 1 < className.length() && Character.isLowerCase(className.charAt(i + 1));
        if (Character.isLowerCase(prev)
            || (Character.isUpperCase(prev) && nextLower)
            || (Character.isDigit(prev) && nextLower)) {
          sb.append('_');
        }
      }
      sb.append(Character.toLowerCase(c));
    }
    return sb.toString();
  }

  /** Throws unless {@code name} can be a path component. */
  static String checkName(String name, String what) {
    if (!VALID.matcher(name).matches()) {
      throw new ModuleException(
          what
              + " \""
              + name
              + "\" is not a valid name: use letters, digits"
              + " and underscores, not starting with a digit (names become path components such as"
              + " parent/"
              + (name.isEmpty() ? "linear" : name.replaceAll("[^A-Za-z0-9_]", "_"))
              + "/w)");
    }
    return name;
  }

  /**
   * Checks a variable name: one valid name, or several joined by {@code /} (an optimizer's slot
   * {@code m/linear/w} under its own path), each checked as {@link #checkName} does.
   */
  static String checkVariableName(String name) {
    for (String part : name.split("/", -1)) {
      checkName(
          part, "Variable name" + (name.indexOf('/') >= 0 ? " part of \"" + name + "\"" : ""));
    }
    return name;
  }

  /** Hands out unique names within one parent or scope: linear, linear_1, linear_2, ... */
  static final class NameTable {
    private final Set<String> used = new HashSet<>();

    String claim(String base) {
      if (used.add(base)) {
        return base;
      }
      for (int i = 1; ; i++) {
        String candidate = base + "_" + i;
        if (used.add(candidate)) {
          return candidate;
        }
      }
    }
  }
}
