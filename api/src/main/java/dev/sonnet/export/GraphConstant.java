package dev.sonnet.export;

import dev.sonnet.checkpoint.HostArray;
import java.util.Objects;

/**
 * A tensor the function made from nothing but constants (a scalar 0.5, an index table), captured
 * with its values. Its shape is known.
 *
 * @param value the value nodes read
 * @param data its elements, of the value's dtype and shape
 */
public record GraphConstant(Value value, HostArray data) {
  public GraphConstant {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(data, "data");
  }
}
