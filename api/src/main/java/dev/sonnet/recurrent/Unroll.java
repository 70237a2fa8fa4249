package dev.sonnet.recurrent;

import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies a recurrent core over a sequence (Sonnet's {@code static_unroll} and {@code
 * dynamic_unroll}).
 *
 * <p>Step {@code t} calls {@code core.call(inputs[t], state)}. With {@code sequenceLength [B]}
 * (integers in {@code [0, T]}), an example whose sequence has ended ({@code t >= length}) keeps its
 * previous output and state: both are copied from the step before, not zeroed, so its final state
 * is the state after its last real step; before the first step the "previous output" is zeros.
 * Gradients flow only through the steps that were used.
 *
 * <p><b>Static and dynamic.</b> In Sonnet the two differ in how TensorFlow runs them (a Python loop
 * unrolled into the graph, or a {@code tf.while_loop}). Here every op runs eagerly, so both are the
 * same Java loop and give the same values, bit for bit; both names exist so that code ported from
 * Sonnet reads the same, and {@link #dynamicUnroll} is where a future traced mode would compile one
 * loop. Both require at least one step.
 *
 * <pre>{@code
 * var lstm = new LSTM(16);
 * Tensor x = ...;                                                 // [T, B, F]
 * Unrolled<LSTMState> out = Unroll.dynamicUnroll(lstm, x, lstm.initialState(x.dim(1)));
 * out.outputs();                                                  // [T, B, 16]
 * Tensor lengths = Tensor.of(new int[] {3, 1, 0, 5}, 4);          // B = 4, T = 5
 * Unroll.staticUnroll(lstm, x, lstm.initialState(4, x.dtype()), lengths, SequenceLayout.TIME_MAJOR);
 * }</pre>
 */
public final class Unroll {
  private Unroll() {}

  /** Unrolls {@code core} over time-major {@code inputs [T, B, ...]} from {@code initialState}. */
  public static <S extends State<S>> Unrolled<S> staticUnroll(
      RNNCore<S> core, Tensor inputs, S initialState) {
    return staticUnroll(core, inputs, initialState, null, SequenceLayout.TIME_MAJOR);
  }

  /**
   * Unrolls {@code core} over {@code inputs} in {@code layout}; {@code sequenceLength [B]} (or
   * null: every sequence is {@code T} long) stops each example at its length.
   *
   * @throws IllegalArgumentException if a length is negative or longer than the sequence
   * @throws ShapeException if {@code inputs} has no time or batch axis, or {@code sequenceLength}
   *     is not one integer per example
   */
  public static <S extends State<S>> Unrolled<S> staticUnroll(
      RNNCore<S> core,
      Tensor inputs,
      S initialState,
      Tensor sequenceLength,
      SequenceLayout layout) {
    return unroll("staticUnroll", core, inputs, initialState, sequenceLength, layout);
  }

  /** {@link #staticUnroll(RNNCore, Tensor, State)}; see the class comment for the difference. */
  public static <S extends State<S>> Unrolled<S> dynamicUnroll(
      RNNCore<S> core, Tensor inputs, S initialState) {
    return dynamicUnroll(core, inputs, initialState, null, SequenceLayout.TIME_MAJOR);
  }

  /** {@link #staticUnroll(RNNCore, Tensor, State, Tensor, SequenceLayout)}, as a dynamic loop. */
  public static <S extends State<S>> Unrolled<S> dynamicUnroll(
      RNNCore<S> core,
      Tensor inputs,
      S initialState,
      Tensor sequenceLength,
      SequenceLayout layout) {
    return unroll("dynamicUnroll", core, inputs, initialState, sequenceLength, layout);
  }

  private static <S extends State<S>> Unrolled<S> unroll(
      String what,
      RNNCore<S> core,
      Tensor inputs,
      S initialState,
      Tensor sequenceLength,
      SequenceLayout layout) {
    String who = what + " of " + core.getClass().getSimpleName() + " '" + core.path() + "'";
    if (layout == null) {
      throw new IllegalArgumentException(who + ": layout is required (TIME_MAJOR or BATCH_MAJOR)");
    }
    if (inputs.rank() < 2) {
      throw new ShapeException(
          who
              + ": inputs "
              + inputs.shape()
              + " need a time and a batch axis ("
              + (layout == SequenceLayout.TIME_MAJOR ? "[T, B, ...]" : "[B, T, ...]")
              + ")");
    }
    int timeAxis = layout.timeAxis();
    int steps = inputs.dim(timeAxis);
    int batch = inputs.dim(layout.batchAxis());
    if (steps == 0) {
      throw new ShapeException(
          who + ": inputs " + inputs.shape() + " have no time steps; unrolling needs at least one");
    }
    int[] lengths = lengths(who, sequenceLength, batch, steps);
    List<Tensor> xs = inputs.split(steps, timeAxis);
    List<Tensor> outputs = new ArrayList<>(steps);
    S state = initialState;
    Tensor output = null;
    for (int t = 0; t < steps; t++) {
      Tensor x = xs.get(t).squeeze(timeAxis);
      boolean[] running = running(lengths, t);
      if (running == null) { // every sequence runs at step t
        Step<S> step = core.call(x, state);
        output = step.output();
        state = step.state();
      } else if (allStopped(running) && output != null) {
        // every sequence has ended: the core's step would be discarded; copy instead
      } else {
        Step<S> step = core.call(x, state);
        Tensor previous = output != null ? output : step.output().zerosLike();
        output = copyWhereStopped(running, step.output(), previous);
        state = step.state().mapWith(state, (n, o) -> copyWhereStopped(running, n, o));
      }
      outputs.add(output);
    }
    return new Unrolled<>(ShapeOps.stack(timeAxis, outputs), state);
  }

  /** {@code running ? next : previous} per example (row), broadcast over the other axes. */
  private static Tensor copyWhereStopped(boolean[] running, Tensor next, Tensor previous) {
    int[] shape = new int[next.rank()];
    Arrays.fill(shape, 1);
    shape[0] = running.length;
    return Tensor.of(running, shape).where(next, previous);
  }

  /** Which examples still run at step {@code t}, or null if all do. */
  private static boolean[] running(int[] lengths, int t) {
    if (lengths == null) {
      return null;
    }
    boolean all = true;
    boolean[] out = new boolean[lengths.length];
    for (int b = 0; b < lengths.length; b++) {
      out[b] = t < lengths[b];
      all &= out[b];
    }
    return all ? null : out;
  }

  private static boolean allStopped(boolean[] running) {
    for (boolean r : running) {
      if (r) {
        return false;
      }
    }
    return true;
  }

  /** The lengths read to the host (one small read per unroll), checked; null without lengths. */
  private static int[] lengths(String who, Tensor sequenceLength, int batch, int steps) {
    if (sequenceLength == null) {
      return null;
    }
    if (sequenceLength.rank() != 1
        || sequenceLength.dim(0) != batch
        || !sequenceLength.dtype().isInteger()) {
      throw DTypeException.shapeOrDtype(
          sequenceLength.rank() == 1 && sequenceLength.dim(0) == batch,
          who
              + ": sequenceLength "
              + sequenceLength.dtype()
              + sequenceLength.shape()
              + " must be integers of shape ["
              + batch
              + "], one length per example of the batch");
    }
    int[] lengths = sequenceLength.cast(DType.INT32).toIntArray();
    for (int b = 0; b < lengths.length; b++) {
      if (lengths[b] < 0 || lengths[b] > steps) {
        throw new IllegalArgumentException(
            who
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
}
