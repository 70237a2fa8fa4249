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
}
