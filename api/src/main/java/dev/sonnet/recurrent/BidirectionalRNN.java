package dev.sonnet.recurrent;

import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * A forward and a backward core over a whole time-major sequence (Sonnet 1's {@code
 * BidirectionalRNN}): the forward core runs over {@code inputs [T, B, ...]} as given, the backward
 * core over the sequence reversed in time, and the outputs are concatenated on the last axis, the
 * backward outputs re-reversed into time order, so step {@code t} of the result holds the forward
 * core's view of {@code x[0..t]} and the backward core's view of {@code x[t..end]}.
 *
 * <p><b>Sequence lengths.</b> With {@code sequenceLength [B]}, each example is reversed within its
 * own length (TensorFlow's {@code reverse_sequence}): example {@code b}'s steps {@code [0, len_b)}
 * are reversed and its padding {@code [len_b, T)} stays in place, and both cores are unrolled with
 * the lengths ({@link Unroll}: past its length an example's output and state are copied from its
 * last step), so the backward core starts at each example's last real step.
 *
 * <p><b>State.</b> A {@link StateList} of two entries, the forward core's state then the backward
 * core's; the final state has the same structure.
 *
 * <pre>{@code
 * var bi = new BidirectionalRNN(new LSTM(32), new LSTM(16));
 * Unrolled<StateList> out = bi.call(x, bi.initialState(x.dim(1), x.dtype()), lengths);
 * out.outputs();                         // [T, B, 48]: forward 32, then backward 16
 * out.finalState().items();              // [forward LSTMState, backward LSTMState]
 * }</pre>
 *
 * <p>Inputs without a time and batch axis and a feature axis, an empty sequence, lengths that are
 * not one integer in {@code [0, T]} per example, and a state that is not the two cores' states are
 * errors naming this module and the shapes; each core checks its own state and input.
 */
public final class BidirectionalRNN extends Module {
  final RNNCore<?> forwardCore;
  final RNNCore<?> backwardCore;

  /** {@code forwardCore} over the sequence and {@code backwardCore} over it reversed. */
  public BidirectionalRNN(RNNCore<?> forwardCore, RNNCore<?> backwardCore) {
    this(forwardCore, backwardCore, null);
  }

  /**
   * Every setting.
   *
   * @param forwardCore the core run over the sequence in time order
   * @param backwardCore the core run over the sequence reversed (within each example's length)
   * @param name the module name, or null for {@code bidirectional_rnn}
   */
  @Settings
  BidirectionalRNN(RNNCore<?> forwardCore, RNNCore<?> backwardCore, String name) {
    super(name);
    if (forwardCore == null || backwardCore == null) {
      throw new IllegalArgumentException(
          "BidirectionalRNN: needs a forward and a backward core, got "
              + forwardCore
              + " and "
              + backwardCore);
    }
    if (forwardCore == backwardCore) {
      throw new IllegalArgumentException(
          "BidirectionalRNN: the forward and backward cores are the same instance "
              + CoreCalls.who(forwardCore)
              + "; give each direction its own core");
    }
    this.forwardCore = forwardCore;
    this.backwardCore = backwardCore;
    allowEmptyVariables();
  }

  /** Starts a bidirectional RNN, e.g. to set its name. */
  public static BidirectionalRNNBuilder builder(RNNCore<?> forwardCore, RNNCore<?> backwardCore) {
    return new BidirectionalRNNBuilder(forwardCore, backwardCore);
  }

  /** The core run in time order. */
  public RNNCore<?> forwardCore() {
    return forwardCore;
  }

  /** The core run in reverse time order. */
  public RNNCore<?> backwardCore() {
    return backwardCore;
  }

  /** The zero states of both cores for {@code batchSize} examples of {@code dtype}. */
  public StateList initialState(int batchSize, DType dtype) {
    return StateList.of(
        forwardCore.initialState(batchSize, dtype), backwardCore.initialState(batchSize, dtype));
  }

  /** {@link #call(Tensor, StateList, Tensor)} from zero states, every sequence {@code T} long. */
  public Unrolled<StateList> call(Tensor inputs) {
    checkInputs(inputs);
    return call(inputs, initialState(inputs.dim(1), inputs.dtype()), null);
  }

  /** {@link #call(Tensor, StateList, Tensor)} with every sequence {@code T} long. */
  public Unrolled<StateList> call(Tensor inputs, StateList initialState) {
    return call(inputs, initialState, null);
  }

  /**
   * Runs both cores over time-major {@code inputs [T, B, ...]}.
   *
   * @param initialState the forward core's state, then the backward core's
   * @param sequenceLength {@code [B]} integers in {@code [0, T]}, or null for {@code T} each
   * @return outputs {@code [T, B, forward size + backward size]} and the final states, forward then
   *     backward
   */
  public Unrolled<StateList> call(Tensor inputs, StateList initialState, Tensor sequenceLength) {
    checkInputs(inputs);
    int steps = inputs.dim(0);
    int batch = inputs.dim(1);
    StateList expected = initialState(1, DType.FLOAT32);
    if (initialState == null || !expected.structureEquals(initialState)) {
      throw new IllegalArgumentException(
          who()
              + ": the state "
              + (initialState == null ? "null" : initialState.describe())
              + " does not have the structure "
              + States.structure(expected)
              + ": two entries, the state of the forward core "
              + CoreCalls.who(forwardCore)
              + " and of the backward core "
              + CoreCalls.who(backwardCore)
              + "; start from initialState(batch, dtype)");
    }
    int[] lengths = lengths(sequenceLength, batch, steps);
    Unrolled<?> fw = unroll(forwardCore, inputs, initialState.items().get(0), sequenceLength);
    Tensor reversed = reverse(inputs, lengths);
    Unrolled<?> bw = unroll(backwardCore, reversed, initialState.items().get(1), sequenceLength);
    Tensor outputs = ShapeOps.concat(-1, fw.outputs(), reverse(bw.outputs(), lengths));
    return new Unrolled<>(outputs, StateList.of(fw.finalState(), bw.finalState()));
  }

  /**
   * {@code x [T, B, ...]} with each example's first {@code lengths[b]} steps reversed (all {@code
   * T} without lengths): one gather over the flattened {@code [T * B, ...]} rows. Its own inverse.
   */
  static Tensor reverse(Tensor x, int[] lengths) {
    int steps = x.dim(0);
    int batch = x.dim(1);
    int[] idx = new int[steps * batch];
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        int len = lengths == null ? steps : lengths[b];
        int src = t < len ? len - 1 - t : t;
        idx[t * batch + b] = src * batch + b;
      }
    }
    int[] dims = x.shape().dims();
    int[] flat = Arrays.copyOfRange(dims, 1, dims.length);
    flat[0] = steps * batch;
    return ShapeOps.gather(x.reshape(flat), Tensor.of(idx, steps, batch), 0);
  }

  private static Unrolled<?> unroll(
      RNNCore<?> core, Tensor inputs, State<?> state, Tensor sequenceLength) {
    return unrollTyped(core, inputs, state, sequenceLength);
  }

  @SuppressWarnings("unchecked")
  private static <S extends State<S>> Unrolled<S> unrollTyped(
      RNNCore<S> core, Tensor inputs, State<?> state, Tensor sequenceLength) {
    return Unroll.dynamicUnroll(core, inputs, (S) state, sequenceLength, SequenceLayout.TIME_MAJOR);
  }

  private void checkInputs(Tensor inputs) {
    if (inputs == null || inputs.rank() < 3 || inputs.dim(0) == 0) {
      throw new ShapeException(
          who()
              + ": inputs "
              + (inputs == null ? "null" : inputs.shape())
              + " must be a time-major sequence [T, B, features...] with at least one step");
    }
  }

  private int[] lengths(Tensor sequenceLength, int batch, int steps) {
    if (sequenceLength == null) {
      return null;
    }
    if (sequenceLength.rank() != 1
        || sequenceLength.dim(0) != batch
        || !sequenceLength.dtype().isInteger()) {
      throw DTypeException.shapeOrDtype(
          sequenceLength.rank() == 1 && sequenceLength.dim(0) == batch,
          who()
              + ": sequenceLength "
              + sequenceLength.dtype()
              + sequenceLength.shape()
              + " must be integers of shape ["
              + batch
              + "], one length per example of the inputs' batch");
    }
    int[] lengths = sequenceLength.cast(DType.INT32).toIntArray();
    for (int b = 0; b < batch; b++) {
      if (lengths[b] < 0 || lengths[b] > steps) {
        throw new IllegalArgumentException(
            who()
                + ": sequenceLength "
                + Arrays.toString(lengths)
                + " has "
                + lengths[b]
                + " for example "
                + b
                + ", outside [0, "
                + steps
                + "]: the inputs have "
                + steps
                + " time steps");
      }
    }
    return lengths;
  }

  private String who() {
    return "BidirectionalRNN '" + path() + "'";
  }
}
