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
}
