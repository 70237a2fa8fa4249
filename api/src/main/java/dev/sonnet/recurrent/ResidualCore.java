package dev.sonnet.recurrent;

import dev.sonnet.module.Settings;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;

/**
 * A core with a residual connection around another (Sonnet 1's {@code ResidualCore}): {@code output
 * = core(input, state).output + input}, and the next state is the wrapped core's. The wrapped
 * core's output size must therefore equal the input's feature size.
 *
 * <p><b>State.</b> The class is not generic, so that it can have a configuration (a builder, saving
 * and loading) like every other core; its state type is a one-entry {@link StateList} holding the
 * wrapped core's own state, the same leaves with the same values, exactly as {@code
 * DeepRNN.of(core)} holds it. {@link #wrappedState} reads the entry back.
 *
 * <pre>{@code
 * var res = new ResidualCore(new LSTM(16));                    // inputs [batch, 16]
 * Unrolled<StateList> out = Unroll.dynamicUnroll(res, x, res.initialState(x.dim(1)));
 * LSTMState last = (LSTMState) res.wrappedState(out.finalState());
 * }</pre>
 *
 * <p>An output whose shape is not the input's is an error naming this core, the wrapped core and
 * both shapes; the wrapped core checks its own state (naming itself).
 */
public final class ResidualCore extends RNNCore<StateList> {
  final RNNCore<?> core;

  /** A residual connection around {@code core}. */
  public ResidualCore(RNNCore<?> core) {
    this(core, null);
  }

  /**
   * Every setting.
   *
   * @param core the wrapped core, whose output size must equal its input's feature size
   * @param name the module name, or null for {@code residual_core}
   */
  @Settings
  ResidualCore(RNNCore<?> core, String name) {
    super(name);
    if (core == null) {
      throw new IllegalArgumentException("ResidualCore: the wrapped core is null");
    }
    this.core = core;
    allowEmptyVariables();
  }

  /** Starts a residual core around {@code core}, e.g. to set its name. */
  public static ResidualCoreBuilder builder(RNNCore<?> core) {
    return new ResidualCoreBuilder(core);
  }

  /** The wrapped core. */
  public RNNCore<?> core() {
    return core;
  }

  /** The wrapped core's state inside {@code state} (its single entry). */
  public State<?> wrappedState(StateList state) {
    return state.items().get(0);
  }

  @Override
  public Step<StateList> call(Tensor input, StateList prevState) {
    StateList expected = initialState(1, DType.FLOAT32);
    if (prevState == null || !expected.structureEquals(prevState)) {
      throw new IllegalArgumentException(
          who()
              + ": the state "
              + (prevState == null ? "null" : prevState.describe())
              + " does not have the structure "
              + States.structure(expected)
              + " (one entry: the state of "
              + CoreCalls.who(core)
              + "); start from initialState(batchOf) and pass each step's state()");
    }
    Step<?> step = CoreCalls.call(core, input, prevState.items().get(0));
    Tensor out = step.output();
    if (!out.shape().equals(input.shape())) {
      throw new ShapeException(
          who()
              + ": the wrapped core "
              + CoreCalls.who(core)
              + " gives output "
              + out.shape()
              + " for input "
              + input.shape()
              + "; the residual connection adds them, so they must be equal (the core's output"
              + " size must be the input's feature size)");
    }
    return new Step<>(out.add(input), StateList.of(step.state()));
  }

  @Override
  public StateList initialState(int batchSize, DType dtype) {
    return StateList.of(core.initialState(batchSize, dtype));
  }

  /** The wrapped core's output size (which is also the input's). */
  @Override
  public Shape outputSize() {
    return core.outputSize();
  }
}
