package dev.sonnet.module;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Helpers for generated {@code _Meta} classes: reading a build method's inputs with a message that
 * names the method when they do not match. Not for users.
 */
public final class Builds {
  private Builds() {}

  /** Throws unless there are exactly {@code count} inputs. */
  public static void arity(Object[] inputs, int count, String module, String signature) {
    if (inputs.length != count) {
      throw new ModuleException(
          module
              + "."
              + signature
              + " takes "
              + count
              + " input"
              + (count == 1 ? "" : "s")
              + " but was built with "
              + inputs.length
              + " ("
              + describe(inputs)
              + "). Pass the inputs it declares, e.g. build(x) at the start of"
              + " call(x).");
    }
  }

  /** Input {@code index} as {@code type}, or a message naming the method and the types. */
  public static <T> T input(
      Object[] inputs, int index, Class<T> type, String module, String signature) {
    Object value = inputs[index];
    if (value != null && !type.isInstance(value)) {
      throw new ModuleException(
          module
              + "."
              + signature
              + ": input "
              + index
              + " should be a "
              + type.getSimpleName()
              + " but is a "
              + value.getClass().getSimpleName()
              + " (inputs: "
              + describe(inputs)
              + ")");
    }
    return type.cast(value);
  }

  private static String describe(Object[] inputs) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < inputs.length; i++) {
      sb.append(i == 0 ? "" : ", ")
          .append(inputs[i] == null ? "null" : inputs[i].getClass().getSimpleName());
    }
    return sb.toString();
  }

  /** The entries of a map field of submodules, in the order they are visited: by key's string. */
  public static <K, V> List<Map.Entry<K, V>> sortedEntries(Map<K, V> map) {
    List<Map.Entry<K, V>> entries = new ArrayList<>(map.entrySet());
    entries.sort(Comparator.comparing(e -> String.valueOf(e.getKey())));
    return entries;
  }
}
