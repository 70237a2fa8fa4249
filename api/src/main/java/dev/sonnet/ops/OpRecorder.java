package dev.sonnet.ops;

import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * Observes operations as they run on the current thread: a gradient tape records them for
 * backpropagation; a graph tracer could record them for export. Installed with {@link
 * Dispatch#push(OpRecorder)}.
 */
public interface OpRecorder {
  /** Called after {@code op} produced {@code outputs} from {@code inputs}. */
  void record(Op op, Tensor[] inputs, Tensor[] outputs);

  /** Called when {@code value} was read from {@code variable} to be used in an operation. */
  void recordRead(Variable variable, Tensor value);

  /**
   * Called before the host reads {@code tensor}'s values ({@link Tensor#toFloatArray()} and the
   * other read-backs). A graph tracer throws here when the value depends on the traced inputs,
   * since a graph cannot hold a branch on it; tapes ignore it.
   */
  default void recordValueRead(Tensor tensor) {}

  /**
   * Called before {@code variable} is assigned, while its old value is still in place. A graph
   * tracer throws here, since a graph holds no assignments; tapes ignore it.
   */
  default void recordWrite(Variable variable) {}

  /**
   * True when this recorder must see primitive ops only: while it is installed, {@link Fusion} is
   * off on its thread, so fusing entry points dispatch their unfused sequence (a tracer records a
   * graph of primitives, which exporters and the graph optimizer understand).
   */
  default boolean wantsPrimitives() {
    return false;
  }

  /**
   * True when this recorder records a {@link Scan} as one loop, through {@link #recordScan},
   * instead of seeing each step's ops (a graph tracer: a loop over an unknown sequence length).
   * Consulted only when this is the thread's one active recorder.
   */
  default boolean recordsLoops() {
    return false;
  }

  /**
   * Records {@code Scan.scan(body, initial, sequences, axis)} as one loop and returns its values
   * (which it computes, for example with {@link Scan#eager}). Called only when {@link
   * #recordsLoops()} is true.
   */
  default Scan.Result recordScan(
      Scan.Body body, java.util.List<Tensor> initial, java.util.List<Tensor> sequences, int axis) {
    throw new UnsupportedOperationException(getClass().getName() + " does not record loops");
  }
}
