package dev.sonnet.ops;

import dev.sonnet.tensor.Tensor;

/**
 * An {@link Op} that does in one pass what a sequence of primitive ops does, and that can always be
 * replaced by that sequence: {@link #decompose} runs it. Its Javadoc states the sequence and
 * whether the fused result is bit-for-bit the decomposition's.
 *
 * <p>Whoever records, traces or exports operations and does not know a fused op (an ONNX exporter,
 * a graph executor of another backend) runs {@link #decompose} on the same inputs under its
 * recorder, and sees only primitive ops. The fusing entry points ({@link Fusion}) run the
 * decomposition instead of the fused op when fusion is off or the backend lacks the capability the
 * fused op needs.
 */
public interface FusedOp extends Op {
  /**
   * The same outputs, computed by dispatching the primitive ops this op fuses (recorded like any
   * other ops). Outputs correspond one to one to {@link #forward}'s.
   */
  Tensor[] decompose(Tensor[] inputs);
}
