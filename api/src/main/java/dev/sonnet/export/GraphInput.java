package dev.sonnet.export;

import java.util.Objects;

/**
 * A function argument: its name, the spec a call's tensor must fit, and the graph value it is.
 *
 * @param name unique among the graph's inputs
 * @param spec the dtype and (partly unknown) shape
 * @param value the value nodes read; its shape is {@code spec.symbolicShape()}
 */
public record GraphInput(String name, TensorSpec spec, Value value) {
  public GraphInput {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(value, "value");
  }
}
