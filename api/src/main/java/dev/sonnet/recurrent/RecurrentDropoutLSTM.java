package dev.sonnet.recurrent;

import dev.sonnet.module.Settings;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * An {@link LSTM} with variational recurrent dropout on its hidden state (Gal and Ghahramani, 2016;
 * the training core of Sonnet 2's {@code lstm_with_recurrent_dropout}), made by {@link
 * LSTM#withRecurrentDropout}: each example's hidden-state units are dropped with probability {@code
 * dropout} by ONE mask drawn in {@link #initialState(int, DType)} and used at every step of the
 * sequence, scaled by {@code 1 / (1 - dropout)} so that the expected value is unchanged:
 *
 * <pre>
 * output, lstmState' = lstm(x, LSTMState(hidden * mask, cell))       (the cell is not dropped)
 * state' = RecurrentDropoutState(lstmState', mask)
 * </pre>
 *
 * <p>The output and the state's {@code lstm} are the LSTM's own (unmasked); the mask is applied to
 * the hidden state as it enters the next step. Evaluate with the plain LSTM ({@link
 * RecurrentDropoutCores#test()}), which shares the variables.
 *
 * <p><b>Randomness</b> comes from an {@link Rng} seeded with {@code seed} and owned by the core:
 * each {@code initialState} draws a new mask from the next split of it (the first call of the core
 * also draws one, for its state template); {@link #initialState(int, DType, Rng)} takes the
 * generator explicitly.
 */
public final class RecurrentDropoutLSTM extends RNNCore<RecurrentDropoutState> {
  final LSTM lstm;
  final double dropout;
  final long seed;
  private final Rng rng;

  /**
   * Every setting; {@link LSTM#withRecurrentDropout} is the usual way to make one.
   *
   * @param lstm the LSTM stepped at each step (shared with the test core)
   * @param dropout the probability of dropping a hidden unit, in {@code [0, 1)}
   * @param seed the seed of the core's generator
   * @param name the module name, or null for {@code recurrent_dropout_lstm}
   */
  @Settings
  RecurrentDropoutLSTM(LSTM lstm, double dropout, long seed, String name) {
    super(name);
    if (lstm == null) {
      throw new IllegalArgumentException("RecurrentDropoutLSTM: the LSTM is null");
    }
    checkDropout("RecurrentDropoutLSTM", dropout);
    this.lstm = lstm;
    this.dropout = dropout;
    this.seed = seed;
    this.rng = new Rng(seed);
    allowEmptyVariables();
  }

  static void checkDropout(String who, double dropout) {
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException(
          who
              + ": dropout must be in [0, 1) (the probability of dropping a hidden unit), got "
              + dropout);
    }
  }

  /** The wrapped LSTM, shared with the test core. */
  public LSTM lstm() {
    return lstm;
  }

  /** The probability of dropping a hidden unit. */
  public double dropout() {
    return dropout;
  }

  /** The zero LSTM state and a new hidden mask drawn from this core's generator. */
  @Override
  public RecurrentDropoutState initialState(int batchSize, DType dtype) {
    Rng r;
    synchronized (rng) {
      r = rng.split();
    }
    return initialState(batchSize, dtype, r);
  }

  /** The zero LSTM state and a hidden mask {@code [batch, P]} drawn from {@code rng}. */
  public RecurrentDropoutState initialState(int batchSize, DType dtype, Rng rng) {
    LSTMState zero = lstm.initialState(batchSize, dtype);
    Shape shape = zero.hidden().shape();
    double scale = 1.0 / (1.0 - dropout);
    double[] mask = new double[shape.intSize()];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = rng.nextDouble() >= dropout ? scale : 0.0;
    }
    return new RecurrentDropoutState(zero, Tensor.of(mask, shape.dims()).cast(dtype));
  }

  @Override
  public Step<RecurrentDropoutState> call(Tensor input, RecurrentDropoutState prevState) {
    if (prevState == null || prevState.lstm() == null || prevState.hiddenMask() == null) {
      throw new IllegalArgumentException(
          who()
              + ": the state "
              + (prevState == null ? "null" : prevState)
              + " needs the LSTM's state and a hidden mask; start from initialState(batchOf) and"
              + " pass each step's state()");
    }
    Tensor hidden = prevState.lstm().hidden();
    Tensor mask = prevState.hiddenMask();
    if (!mask.shape().equals(hidden.shape()) || mask.dtype() != hidden.dtype()) {
      throw DTypeException.shapeOrDtype(
          mask.shape().equals(hidden.shape()),
          who()
              + ": the hidden mask "
              + mask.dtype().shortName()
              + mask.shape()
              + " must match the hidden state "
              + hidden.dtype().shortName()
              + hidden.shape()
              + " (input "
              + input.shape()
              + ")");
    }
    LSTMState masked = new LSTMState(hidden.mul(mask), prevState.lstm().cell());
    Step<LSTMState> step = lstm.call(input, masked);
    return new Step<>(step.output(), new RecurrentDropoutState(step.state(), mask));
  }

  @Override
  public Shape outputSize() {
    return lstm.outputSize();
  }
}
