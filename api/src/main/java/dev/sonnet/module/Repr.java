package dev.sonnet.module;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A module's repr: its constructor call, {@code MyLinear(outputSize=10)}.
 *
 * <p>Arguments print as Java would write them (strings quoted, enums by name); a module argument
 * prints as its own repr; a function prints as its name if it has one ({@link Layers}) and as
 * {@code <function>} otherwise. The call stays on one line when it fits in {@value #WIDTH}
 * characters and holds no module; otherwise each argument goes on its own line, two spaces in, and
 * nested modules indent their own arguments two spaces further:
 *
 * <pre>
 * Sequential(
 *   MyLinear(outputSize=1024),
 *   relu,
 *   MyLinear(outputSize=10)
 * )
 * </pre>
 *
 * <p>Generated {@code _Meta} classes build these (leaving out arguments equal to their declared
 * default); hand-written modules may too.
 */
public final class Repr {
  /** The longest single-line repr before arguments are split onto lines. */
  public static final int WIDTH = 80;

  private static final String INDENT = "  ";

  private final String name;
  private final List<String> args = new ArrayList<>();
  private boolean multiline;

  private Repr(String name) {
    this.name = name;
  }

  /** A repr of the constructor call {@code name(...)}. */
  public static Repr of(String name) {
    return new Repr(name);
  }

  /** Adds {@code key=value}. */
  public Repr arg(String key, Object value) {
    return add(key + "=" + render(value), value);
  }

  public Repr arg(String key, int value) {
    return add(key + "=" + value, null);
  }

  public Repr arg(String key, long value) {
    return add(key + "=" + value, null);
  }

  public Repr arg(String key, double value) {
    return add(key + "=" + value, null);
  }

  public Repr arg(String key, float value) {
    return add(key + "=" + value, null);
  }

  public Repr arg(String key, boolean value) {
    return add(key + "=" + value, null);
  }

  public Repr arg(String key, char value) {
    return add(key + "='" + value + "'", null);
  }

  /** Adds a value without a key, such as each layer of a {@link Sequential}. */
  public Repr positional(Object value) {
    return add(render(value), value);
  }

  private Repr add(String text, Object value) {
    args.add(text);
    if (holdsModule(value) || text.indexOf('\n') >= 0) {
      multiline = true;
    }
    return this;
  }

  @Override
  public String toString() {
    String line = name + "(" + String.join(", ", args) + ")";
    if (!multiline && line.length() <= WIDTH) {
      return line;
    }
    StringBuilder sb = new StringBuilder(name).append("(\n");
    for (int i = 0; i < args.size(); i++) {
      sb.append(indent(args.get(i)));
      sb.append(i + 1 < args.size() ? ",\n" : "\n");
    }
    return sb.append(')').toString();
  }

  /** How {@code value} prints as an argument. */
  static String render(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return quote(s);
    }
    if (value instanceof Character c) {
      return "'" + c + "'";
    }
    if (value instanceof Enum<?> e) {
      return e.name();
    }
    if (value instanceof Module) {
      return value.toString();
    }
    if (value instanceof Collection<?> c) {
      return renderList(new ArrayList<>(c));
    }
    if (value instanceof Object[] a) {
      return renderList(Arrays.asList(a));
    }
    if (value instanceof int[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof long[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof double[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof float[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof boolean[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof Map<?, ?> m) {
      List<String> items = new ArrayList<>();
      boolean split = false;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        items.add(render(e.getKey()) + ": " + render(e.getValue()));
        split |= holdsModule(e.getValue());
      }
      return bracket("{", items, "}", split);
    }
    if (value.getClass().isHidden() || value.getClass().isSynthetic()) {
      return "<function>";
    }
    return value.toString();
  }

  private static String renderList(List<?> values) {
    List<String> items = new ArrayList<>(values.size());
    boolean split = false;
    for (Object v : values) {
      items.add(render(v));
      split |= holdsModule(v);
    }
    return bracket("[", items, "]", split);
  }

  private static String bracket(String open, List<String> items, String close, boolean split) {
    if (!split) {
      return open + String.join(", ", items) + close;
    }
    StringBuilder sb = new StringBuilder(open).append('\n');
    for (int i = 0; i < items.size(); i++) {
      sb.append(indent(items.get(i))).append(i + 1 < items.size() ? ",\n" : "\n");
    }
    return sb.append(close).toString();
  }

  private static boolean holdsModule(Object value) {
    if (value instanceof Module) {
      return true;
    }
    if (value instanceof Collection<?> c) {
      for (Object o : c) {
        if (o instanceof Module) {
          return true;
        }
      }
    } else if (value instanceof Object[] a) {
      for (Object o : a) {
        if (o instanceof Module) {
          return true;
        }
      }
    } else if (value instanceof Map<?, ?> m) {
      for (Object o : m.values()) {
        if (o instanceof Module) {
          return true;
        }
      }
    }
    return false;
  }

  private static String indent(String text) {
    return INDENT + text.replace("\n", "\n" + INDENT);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
