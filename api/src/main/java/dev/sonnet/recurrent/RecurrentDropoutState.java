package dev.sonnet.recurrent;

import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * The state of a {@link RecurrentDropoutLSTM}: the wrapped LSTM's state and the dropout mask on its
 * hidden state, {@code [batch, P]}, drawn once per sequence by {@code initialState} and carried
 * unchanged from step to step. Leaves {@code lstm_hidden}, {@code lstm_cell}, {@code hidden_mask}.
 *
 * @param lstm the LSTM's state (the hidden state before the mask is applied)
 * @param hiddenMask {@code 0} or {@code 1 / (1 - dropout)} per unit and example
 */
public record RecurrentDropoutState(LSTMState lstm, Tensor hiddenMask)
    implements State<RecurrentDropoutState> {
  @Override
  public List<Tensor> leaves() {
    return List.of(lstm.hidden(), lstm.cell(), hiddenMask);
  }

  @Override
  public List<String> leafNames() {
    return List.of("lstm_hidden", "lstm_cell", "hidden_mask");
  }

  @Override
  public RecurrentDropoutState withLeaves(List<Tensor> leaves) {
    if (leaves.size() != 3) {
      throw new IllegalArgumentException(
          "RecurrentDropoutState holds 3 leaves " + leafNames() + ", got " + leaves.size());
    }
    return new RecurrentDropoutState(new LSTMState(leaves.get(0), leaves.get(1)), leaves.get(2));
  }
}
