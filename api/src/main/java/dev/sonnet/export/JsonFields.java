package dev.sonnet.export;

import dev.sonnet.checkpoint.CheckpointFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed, checked reads from parsed JSON data (maps, lists, {@code Long}, {@code Double}, {@code
 * Boolean}, strings) of a saved model's graph document. Every mismatch is a {@link
 * CheckpointFormatException} naming the file and where in the document ({@code
 * functions[0].nodes[3] .attrs.axis}), so a hostile file gets the same kind of error as a damaged
 * one.
 */
final class JsonFields {
  private final Path file;

  JsonFields(Path file) {
    this.file = file;
  }

  CheckpointFormatException error(String where, String problem) {
    return new CheckpointFormatException(file, "saved model graph, " + where + ": " + problem);
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> object(Object v, String where, Set<String> allowed) {
    if (!(v instanceof Map<?, ?> m)) {
      throw error(where, "expected an object, got " + describe(v));
    }
    for (Object k : m.keySet()) {
      if (!allowed.contains(k)) {
        throw error(where, "unknown key \"" + abbreviate((String) k) + "\"; expected " + allowed);
      }
    }
    return (Map<String, Object>) m;
  }

  Object required(Map<String, Object> m, String key, String where) {
    if (!m.containsKey(key)) {
      throw error(where, "missing \"" + key + "\"");
    }
    return m.get(key);
  }

  @SuppressWarnings("unchecked")
  List<Object> list(Object v, String where, int max) {
    if (!(v instanceof List<?> l)) {
      throw error(where, "expected an array, got " + describe(v));
    }
    if (l.size() > max) {
      throw error(where, "an array of " + l.size() + " items, more than the " + max + " allowed");
    }
    return (List<Object>) l;
  }

  long integer(Object v, String where, long min, long max) {
    if (!(v instanceof Long n)) {
      throw error(where, "expected an integer, got " + describe(v));
    }
    if (n < min || n > max) {
      throw error(where, n + " is outside [" + min + ", " + max + "]");
    }
    return n;
  }

  int intValue(Object v, String where, int min, int max) {
    return (int) integer(v, where, min, max);
  }

  boolean bool(Object v, String where) {
    if (!(v instanceof Boolean b)) {
      throw error(where, "expected true or false, got " + describe(v));
    }
    return b;
  }

  String string(Object v, String where, int maxLength) {
    if (!(v instanceof String s)) {
      throw error(where, "expected a string, got " + describe(v));
    }
    if (s.length() > maxLength) {
      throw error(where, "a string of " + s.length() + " characters, more than " + maxLength);
    }
    return s;
  }

  /** A finite number, or one of the strings {@code nan}, {@code inf}, {@code -inf}. */
  double number(Object v, String where) {
    if (v instanceof Long n) {
      return n;
    }
    if (v instanceof Double d && Double.isFinite(d)) {
      return d;
    }
    if (v instanceof String s) {
      switch (s) {
        case "nan":
          return Double.NaN;
        case "inf":
          return Double.POSITIVE_INFINITY;
        case "-inf":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw error(where, "expected a number (or \"nan\", \"inf\", \"-inf\"), got " + describe(v));
  }

  /** The constant of {@code values} named {@code name}, lower-case. */
  <E extends Enum<E>> E enumValue(Object v, String where, E[] values) {
    String s = string(v, where, 64);
    for (E e : values) {
      if (e.name().toLowerCase(java.util.Locale.ROOT).equals(s)) {
        return e;
      }
    }
    throw error(where, "unknown value \"" + abbreviate(s) + "\"");
  }

  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return "the string \"" + abbreviate(s) + "\"";
    }
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "an array";
    }
    return v.toString();
  }

  static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
