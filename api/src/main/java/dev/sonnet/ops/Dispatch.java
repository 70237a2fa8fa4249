package dev.sonnet.ops;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.Backend;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * The single point every operation runs through.
 *
 * <p>It checks that the inputs share a backend, runs the {@link Op}, and tells the thread's active
 * {@link OpRecorder}s (gradient tapes, tracers). Nothing else in the library calls {@link
 * Op#forward} or knows about recorders, so recording, tracing or fusing later needs no change to
 * any op. It also hands new outputs to the thread's open {@link TensorScope}, which frees them when
 * it closes, and, in {@link CheckNumerics} mode, checks every floating output for NaN and infinity.
 *
 * <p>Recorders are per thread: a tape opened on one thread never sees another thread's work.
 */
public final class Dispatch {
  /** A thread's recorders and pause depth, in one object so a dispatch looks up one value. */
  private static final class State {
    final List<OpRecorder> recorders = new ArrayList<>();
    int paused;

    boolean recording() {
      return paused == 0 && !recorders.isEmpty();
    }
  }

  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  private Dispatch() {}

  /** Runs {@code op} on {@code inputs} and reports it to the active recorders. */
  public static Tensor[] run(Op op, Tensor... inputs) {
    checkSameBackend(op, inputs);
    if (ReducedPrecision.needsWidening(op, inputs)) {
      return ReducedPrecision.run(op, inputs);
    }
    Tensor[] outputs = op.forward(inputs);
    TensorScope.trackOutputs(outputs, inputs);
    if (CheckNumerics.enabled) {
      CheckNumerics.afterOp(op, inputs, outputs);
    }
    State state = STATE.get();
    if (state.recording()) {
      List<OpRecorder> recorders = state.recorders;
      giveOutputsOwnIdentity(outputs, inputs);
      for (int i = 0, n = recorders.size(); i < n; i++) {
        recorders.get(i).record(op, inputs, outputs);
      }
    }
    return outputs;
  }

  /** Runs a single-output {@code op}. */
  public static Tensor run1(Op op, Tensor... inputs) {
    return run(op, inputs)[0];
  }

  /** Reads each operand's value (recording variable reads) for a call to {@link #run}. */
  public static Tensor[] values(Operand... operands) {
    Tensor[] t = new Tensor[operands.length];
    for (int i = 0; i < operands.length; i++) {
      t[i] = Operands.tensor(operands[i], "operation", i + 1);
    }
    return t;
  }

  /** Reports a variable read to the active recorders; called by {@link Variable} only. */
  public static void variableRead(Variable variable, Tensor value) {
    State state = STATE.get();
    if (state.recording()) {
      List<OpRecorder> recorders = state.recorders;
      for (int i = 0, n = recorders.size(); i < n; i++) {
        recorders.get(i).recordRead(variable, value);
      }
    }
  }

  /**
   * Reports that the host is about to read {@code tensor}'s values; called by {@link Tensor}'s
   * read-backs only. Nothing is reported while recording is paused.
   */
  public static void valueRead(Tensor tensor) {
    State state = STATE.get();
    if (state.recording()) {
      List<OpRecorder> recorders = state.recorders;
      for (int i = 0, n = recorders.size(); i < n; i++) {
        recorders.get(i).recordValueRead(tensor);
      }
    }
  }

  /**
   * Reports that {@code variable} is about to be assigned; called by {@link Variable}'s updates
   * only, before they pause recording.
   */
  public static void variableWrite(Variable variable) {
    State state = STATE.get();
    if (state.recording()) {
      List<OpRecorder> recorders = state.recorders;
      for (int i = 0, n = recorders.size(); i < n; i++) {
        recorders.get(i).recordWrite(variable);
      }
    }
  }

  /** Starts reporting this thread's operations to {@code recorder}, until {@link #pop}. */
  public static void push(OpRecorder recorder) {
    STATE.get().recorders.add(recorder);
  }

  /** Stops reporting to {@code recorder}; a recorder that is not installed is ignored. */
  public static void pop(OpRecorder recorder) {
    STATE.get().recorders.remove(recorder);
  }

  /**
   * True when a recorder installed on this thread {@link OpRecorder#wantsPrimitives wants
   * primitives}.
   */
  static boolean primitivesWanted() {
    List<OpRecorder> recorders = STATE.get().recorders;
    for (int i = 0, n = recorders.size(); i < n; i++) {
      if (recorders.get(i).wantsPrimitives()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The recorder that records a {@link Scan} as one loop: the thread's only active recorder, when
   * it {@link OpRecorder#recordsLoops records loops}; else null, and the scan runs as a Java loop
   * (a gradient tape needs every step's ops).
   */
  static OpRecorder loopRecorder() {
    State state = STATE.get();
    if (!state.recording() || state.recorders.size() != 1) {
      return null;
    }
    OpRecorder r = state.recorders.get(0);
    return r.recordsLoops() ? r : null;
  }

  /** True when at least one recorder is active and recording is not paused on this thread. */
  public static boolean isRecording() {
    return STATE.get().recording();
  }

  /**
   * Pauses all recording on this thread until the returned handle is closed; pauses nest. Used by
   * custom gradients (the inner computation is not recorded) and by variable updates.
   */
  public static Pause pause() {
    STATE.get().paused++;
    return new Pause();
  }

  /** An open pause of recording; closing it twice has no further effect. */
  public static final class Pause implements AutoCloseable {
    private boolean closed;

    private Pause() {}

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        STATE.get().paused--;
      }
    }
  }

  /**
   * Recorders key tensors by identity, so an op that returns one of its inputs unchanged (an
   * identity, a no-op reshape) would create a cycle; such outputs get a fresh tensor object sharing
   * the same memory.
   */
  private static void giveOutputsOwnIdentity(Tensor[] outputs, Tensor[] inputs) {
    for (int o = 0; o < outputs.length; o++) {
      for (Tensor in : inputs) {
        if (outputs[o] == in) {
          outputs[o] = Tensor.wrap(in.buffer(), in.shape());
          break;
        }
      }
    }
  }

  private static void checkSameBackend(Op op, Tensor[] inputs) {
    if (inputs.length < 2) {
      return;
    }
    Backend first = inputs[0].backend();
    for (int i = 1; i < inputs.length; i++) {
      if (inputs[i].backend() != first) {
        throw new SonnetException(
            op.name()
                + ": inputs live on different backends ("
                + first.name()
                + " and "
                + inputs[i].backend().name()
                + "); move one with "
                + "tensor.to(backend)");
      }
    }
  }
}
