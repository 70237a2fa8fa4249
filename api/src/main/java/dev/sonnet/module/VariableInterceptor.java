package dev.sonnet.module;

import dev.sonnet.tensor.Tensor;

/**
 * Sees every variable a module creates, before it exists, and may supply its initial value instead
 * of the initializer: the hook for restoring a checkpoint into variables that do not exist yet
 * (restore-on-create). Install one with {@link Module#interceptVariables}.
 *
 * <p>Variables are created one at a time, but a restore must judge them together (report every
 * mismatch at once, never leave some restored and others not), so the interceptor is also told when
 * the <em>outermost</em> build on the thread has ended ({@link #buildEnded}): the build of a module
 * that was not called from inside another module's build. Builds nested in it (the submodules a
 * parent builds in its own build method) end before it does.
 */
@FunctionalInterface
public interface VariableInterceptor {
  /**
   * The initial value for the variable {@code spec} describes, or null to run its initializer. A
   * value must have the spec's shape and dtype.
   */
  Tensor initialValue(VariableSpec spec);

  /**
   * Called on the building thread when the outermost build during which this interceptor was asked
   * for a value (or which built a module it covers) has ended, before that build returns to its
   * caller. Does nothing by default.
   *
   * <p>It may throw to fail the call that ran the build: the modules built stay built (their
   * variables exist), and the exception reaches the caller of {@code module.call(x)}. When the
   * build itself failed ({@code succeeded} false), the variables it created have been forgotten and
   * anything thrown here is attached to the build's exception as suppressed.
   *
   * @param outermost the module whose build was outermost
   * @param succeeded whether that build completed
   */
  default void buildEnded(Module outermost, boolean succeeded) {}
}
