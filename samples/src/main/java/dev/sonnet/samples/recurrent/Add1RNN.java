package dev.sonnet.samples.recurrent;

import dev.sonnet.recurrent.RNNCore;
import dev.sonnet.recurrent.State;
import dev.sonnet.recurrent.Step;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * The Sonnet 1 README's {@code Add1RNN}: a simple core that adds 1 to its state and produces zero
 * outputs.
 *
 * <p>It computes {@code (input, (state1, state2)) -> (output, (next_state1, next_state2))} where
 * {@code next_statei = statei + 1} and {@code output = 0}. The output and both state tensors are
 * {@code [batch, hiddenSize]}.
 *
 * <pre>{@code
 * var core = new Add1RNN(4);
 * Tensor x = Tensor.zeros(DType.FLOAT32, 3, 2, 5);                 // [T, B, F]
 * Unrolled<Add1RNN.PairState> out = Unroll.dynamicUnroll(core, x, core.initialState(2));
 * out.outputs();                 // zeros [3, 2, 4]
 * out.finalState().state1();     // 3.0 everywhere, [2, 4]
 * }</pre>
 */
public final class Add1RNN extends RNNCore<Add1RNN.PairState> {
  /** The core's state: a pair of tensors, each {@code [batch, hiddenSize]}. */
  public record PairState(Tensor state1, Tensor state2) implements State<PairState> {
    @Override
    public List<Tensor> leaves() {
      return List.of(state1, state2);
    }

    @Override
    public List<String> leafNames() {
      return List.of("state1", "state2");
    }

    @Override
    public PairState withLeaves(List<Tensor> leaves) {
      return new PairState(leaves.get(0), leaves.get(1));
    }
  }

  final int hiddenSize;

  /** A core whose outputs and states have {@code hiddenSize} features, named {@code add1_rnn}. */
  public Add1RNN(int hiddenSize) {
    this(hiddenSize, null);
  }

  /** A core whose outputs and states have {@code hiddenSize} features, named {@code name}. */
  public Add1RNN(int hiddenSize, String name) {
    super(name != null ? name : "add1_rnn"); // Sonnet 1's default, not the class in snake case
    if (hiddenSize < 1) {
      throw new IllegalArgumentException("Add1RNN: hiddenSize must be >= 1, got " + hiddenSize);
    }
    this.hiddenSize = hiddenSize;
  }

  /** One time step: zero outputs and each state tensor plus 1. */
  @Override
  public Step<PairState> call(Tensor input, PairState prevState) {
    // No variables, so any input size is accepted; the state must still fit the input's batch.
    checkStep(input, prevState, input.dim(-1), input.dtype());
    Tensor outputs = Tensor.zeros(input.dtype(), input.dim(0), hiddenSize);
    PairState next = new PairState(prevState.state1().add(1), prevState.state2().add(1));
    return new Step<>(outputs, next);
  }

  /** Zeros for both state tensors, {@code [batchSize, hiddenSize]} of {@code dtype}. */
  @Override
  public PairState initialState(int batchSize, DType dtype) {
    return new PairState(
        Tensor.zeros(dtype, batchSize, hiddenSize), Tensor.zeros(dtype, batchSize, hiddenSize));
  }

  /** {@code [hiddenSize]}. */
  @Override
  public Shape outputSize() {
    return Shape.of(hiddenSize);
  }
}
