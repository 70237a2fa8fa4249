package dev.sonnet.recurrent;

import dev.sonnet.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * The state of an {@link LSTM}: {@code hidden [batch, projectionSize or hiddenSize]} (also the
 * core's output) and {@code cell [batch, hiddenSize]}.
 */
public record LSTMState(Tensor hidden, Tensor cell) implements State<LSTMState> {
  /** A state holding {@code hidden} and {@code cell}. */
  public LSTMState {
    Objects.requireNonNull(hidden, "LSTMState: hidden");
    Objects.requireNonNull(cell, "LSTMState: cell");
  }

  @Override
  public List<Tensor> leaves() {
    return List.of(hidden, cell);
  }

  @Override
  public List<String> leafNames() {
    return List.of("hidden", "cell");
  }

  @Override
  public LSTMState withLeaves(List<Tensor> leaves) {
    if (leaves.size() != 2) {
      throw new IllegalArgumentException(
          "LSTMState holds 2 leaves (hidden, cell), got " + leaves.size() + " to rebuild it from");
    }
    return new LSTMState(leaves.get(0), leaves.get(1));
  }
}
