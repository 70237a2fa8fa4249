package dev.sonnet.recurrent;

import dev.sonnet.ops.Scan;
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
 * <p><b>Static and dynamic.</b> As in Sonnet, the two differ in what a traced graph holds (a loop
 * unrolled into the graph, or one loop). Run eagerly, both are the same Java loop and give the same
 * values and gradients, bit for bit. Traced for a saved model ({@code dev.sonnet.export.Tracing}),
 * {@link #staticUnroll} records every step's ops, so the sequence length is fixed in the graph,
 * while {@link #dynamicUnroll} records one {@link Scan} whose body is the core's step, so the graph
 * runs any sequence length ({@code TensorSpec.of(FLOAT32, -1, -1, 128).withSymbol(0, "time")}).
 * Traced with sequence lengths, the step counts itself and compares with the lengths in the graph
 * (a length above the sequence's runs every step, a negative one none; eagerly both are errors).
 * Both require at least one step.
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
    return unroll(false, core, inputs, initialState, sequenceLength, layout);
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
    return unroll(true, core, inputs, initialState, sequenceLength, layout);
  }

  private static <S extends State<S>> Unrolled<S> unroll(
      boolean dynamic,
      RNNCore<S> core,
      Tensor inputs,
      S initialState,
      Tensor sequenceLength,
      SequenceLayout layout) {
    String who =
        (dynamic ? "dynamicUnroll" : "staticUnroll")
            + " of "
            + core.getClass().getSimpleName()
            + " '"
            + core.path()
            + "'";
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
    if (dynamic && Scan.isTracedAsLoop()) {
      return scanned(who, core, inputs, initialState, sequenceLength, layout);
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

  /**
   * The unroll as one {@link Scan}, for a tracer that records loops: the carried tensors are the
   * state's leaves and, with sequence lengths, the previous output and a step counter; the running
   * mask is computed in the graph from the counter and the lengths.
   */
  private static <S extends State<S>> Unrolled<S> scanned(
      String who,
      RNNCore<S> core,
      Tensor inputs,
      S initialState,
      Tensor sequenceLength,
      SequenceLayout layout) {
    int leaves = initialState.leaves().size();
    List<Tensor> initial = new ArrayList<>(initialState.leaves());
    Tensor lengths = null;
    if (sequenceLength != null) {
      int batch = inputs.dim(layout.batchAxis());
      checkLengthsShape(who, sequenceLength, batch);
      lengths = sequenceLength.cast(DType.INT32);
      int[] outShape = new int[1 + core.outputSize().rank()];
      outShape[0] = batch;
      System.arraycopy(core.outputSize().dims(), 0, outShape, 1, outShape.length - 1);
      initial.add(Tensor.zeros(inputs.dtype(), outShape));
      initial.add(Tensor.scalar(0));
    }
    Tensor stepLengths = lengths;
    Scan.Result r =
        Scan.scan(
            (carried, x) -> {
              S state = initialState.withLeaves(List.of(carried).subList(0, leaves));
              Step<S> step = core.call(x[0], state);
              List<Tensor> next = new ArrayList<>(step.state().leaves());
              Tensor output = step.output();
              if (stepLengths != null) {
                Tensor t = carried[leaves + 1];
                Tensor running = stepLengths.greater(t);
                output = whereRunning(running, output, carried[leaves]);
                List<Tensor> kept = new ArrayList<>(next.size());
                for (int i = 0; i < next.size(); i++) {
                  kept.add(whereRunning(running, next.get(i), carried[i]));
                }
                next = kept;
                next.add(output);
                next.add(t.add(Tensor.scalar(1)));
              }
              next.add(output);
              return next.toArray(new Tensor[0]);
            },
            initial,
            List.of(inputs),
            layout.timeAxis());
    S finalState = initialState.withLeaves(r.finalCarried().subList(0, leaves));
    return new Unrolled<>(r.outputs().get(0), finalState);
  }

  /** {@code running [B] ? next : previous}, the mask broadcast over the other axes. */
  private static Tensor whereRunning(Tensor running, Tensor next, Tensor previous) {
    int[] shape = new int[next.rank()];
    Arrays.fill(shape, 1);
    shape[0] = running.dim(0);
    return running.reshape(shape).where(next, previous);
  }

  /** {@code running ? next : previous} per example (row), broadcast over the other axes. */
  private static Tensor copyWhereStopped(boolean[] running, Tensor next, Tensor previous) {
    return whereRunning(Tensor.of(running, running.length), next, previous);
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

  /** Throws unless {@code sequenceLength} holds one integer per example of the batch. */
  private static void checkLengthsShape(String who, Tensor sequenceLength, int batch) {
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
  }

  /** The lengths read to the host (one small read per unroll), checked; null without lengths. */
  private static int[] lengths(String who, Tensor sequenceLength, int batch, int steps) {
    if (sequenceLength == null) {
      return null;
    }
    checkLengthsShape(who, sequenceLength, batch);
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
