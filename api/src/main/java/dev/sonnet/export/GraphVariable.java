package dev.sonnet.export;

import java.util.Objects;

/**
 * A variable the graph reads. It is captured by name, not frozen: the graph reads whatever value
 * the variable holds when it runs, so assigning a loaded model's variable changes what its
 * functions compute. The value's shape is constant (a variable's shape never changes).
 *
 * @param name the variable's full name ({@code mlp/linear_0/w}), its key in the saved weights
 * @param trainable whether the variable was trainable in the model
 * @param value the value nodes read
 */
public record GraphVariable(String name, boolean trainable, Value value) {
  public GraphVariable {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
