package dev.sonnet.module;

import dev.sonnet.tensor.Tensor;

/**
 * Sees every variable a module creates, before it exists, and may supply its initial value
 * instead of the initializer: the hook for restoring a checkpoint into variables that do not exist
 * yet (restore-on-create). Install one with {@link Module#interceptVariables}.
 */
@FunctionalInterface
public interface VariableInterceptor {
  /**
   * The initial value for the variable {@code spec} describes, or null to run its initializer.
   * A value must have the spec's shape and dtype.
   */
  Tensor initialValue(VariableSpec spec);
}
