package dev.sonnet.recurrent;

import dev.sonnet.tensor.Tensor;

/** Calls on cores whose state type is known only at run time (stacks, wrappers). */
final class CoreCalls {
  private CoreCalls() {}

  /**
   * {@code core.call(input, state)} for a core held as {@code RNNCore<?>}; the core checks the
   * state's structure itself, so a state of another class fails there naming the core.
   */
  static Step<?> call(RNNCore<?> core, Tensor input, State<?> state) {
    return typed(core, input, state);
  }

  @SuppressWarnings("unchecked")
  private static <S extends State<S>> Step<S> typed(RNNCore<S> core, Tensor input, State<?> state) {
    return core.call(input, (S) state);
  }

  /** {@code who}: the class and path of {@code core}, for messages. */
  static String who(RNNCore<?> core) {
    return core.getClass().getSimpleName() + " '" + core.path() + "'";
  }
}
