package dev.sonnet.samples.recurrent;

import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.tensor.Tensor;

/**
 * The Sonnet 1 README's unrolled LSTM:
 *
 * <pre>{@code
 * hidden_size = 5
 * batch_size = 20
 * # input_sequence should be a tensor of size [time_steps, batch_size, input_features]
 * lstm = snt.LSTM(hidden_size)
 * initial_state = lstm.initial_state(batch_size)
 * output_sequence, final_state = tf.nn.dynamic_rnn(
 *     lstm, input_sequence, initial_state=initial_state, time_major=True)
 * }</pre>
 */
public final class UnrolledLstmExample {
  /** The README's hidden size. */
  public static final int HIDDEN_SIZE = 5;

  /** The README's batch size. */
  public static final int BATCH_SIZE = 20;

  private UnrolledLstmExample() {}

  /**
   * Runs {@code lstm} over time-major {@code inputSequence [time_steps, BATCH_SIZE,
   * input_features]} from its zero initial state.
   */
  public static Unrolled<LSTMState> run(LSTM lstm, Tensor inputSequence) {
    LSTMState initialState = lstm.initialState(BATCH_SIZE);
    return Unroll.dynamicUnroll(lstm, inputSequence, initialState);
  }
}
