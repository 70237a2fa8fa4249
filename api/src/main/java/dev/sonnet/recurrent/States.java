package dev.sonnet.recurrent;

import dev.sonnet.tensor.Tensor;
import java.util.List;

/** What {@link State}'s default methods share: descriptions and the structure check. */
final class States {
  private States() {}

  static String describe(State<?> s) {
    StringBuilder sb = new StringBuilder(s.getClass().getSimpleName()).append('(');
    List<Tensor> leaves = s.leaves();
    List<String> names = s.leafNames();
    for (int i = 0; i < leaves.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      String name = i < names.size() ? names.get(i) : "?";
      if (!name.isEmpty()) {
        sb.append(name).append(' ');
      }
      Tensor t = leaves.get(i);
      sb.append(t.dtype().shortName()).append(t.shape());
    }
    return sb.append(')').toString();
  }

  /** The structure without shapes: {@code LSTMState[hidden, cell]}. */
  static String structure(State<?> s) {
    return s.getClass().getSimpleName() + s.leafNames();
  }

  static void requireSameStructure(String what, State<?> expected, State<?> actual) {
    if (actual == null || !expected.structureEquals(actual)) {
      throw new IllegalArgumentException(
          what
              + ": states of different structures: "
              + structure(expected)
              + " and "
              + (actual == null ? "null" : structure(actual))
              + "; both need the same class and the same leaves");
    }
  }

  /** {@code name} checked as part of a variable name: letters, digits and underscores. */
  static String checkLeafName(State<?> s, String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_')) {
        throw new IllegalArgumentException(
            s.getClass().getSimpleName()
                + ": leaf name \""
                + name
                + "\" may hold only letters, digits and underscores; it names variables");
      }
    }
    return name;
  }
}
