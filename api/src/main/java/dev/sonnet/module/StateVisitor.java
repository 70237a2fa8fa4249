package dev.sonnet.module;

import dev.sonnet.tensor.Variable;

/**
 * Receives a module's state for checkpoints: its variables and its submodules, each under a key
 * made of field names ({@code w}, {@code layers/0}, {@code heads/policy}), in the order of {@link
 * Module#variables()}. Keys are structural, so they stay the same when module names are uniquified
 * differently. See {@link Module#visitState}.
 */
public interface StateVisitor {
  /** A variable of the module: a {@link Param} field, or one created without a field (by name). */
  void variable(String key, Variable value);

  /** A submodule held by the module; visit its state with {@code child.visitState(...)}. */
  void module(String key, Module child);
}
