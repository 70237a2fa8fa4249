package dev.sonnet.export;

import dev.sonnet.tensor.DType;
import java.util.Objects;

/**
 * One tensor of a graph: a function input, a variable's value, a constant, or a node's output. Each
 * has an id unique in its graph (nodes refer to values by id in the saved format).
 *
 * @param id unique in the graph, {@code >= 0}
 * @param dtype the element type
 * @param shape the shape, symbolic where it depends on unknown input dimensions
 */
public record Value(int id, DType dtype, SymbolicShape shape) {
  public Value {
    if (id < 0) {
      throw new IllegalArgumentException("Value: id " + id + " < 0");
    }
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
  }

  /** Like {@code %3: float32[batch, 10]}. */
  @Override
  public String toString() {
    return "%" + id + ": " + dtype.name().toLowerCase(java.util.Locale.ROOT) + shape;
  }
}
