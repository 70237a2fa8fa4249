package dev.sonnet.ops;

import dev.sonnet.backend.SoftmaxCrossEntropy;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;

/** The cross-entropy the losses of {@code dev.sonnet.losses} build on. */
public final class CrossEntropy {
  private CrossEntropy() {}

  /**
   * Per-example softmax cross-entropy {@code logsumexp(z_r) - z[r, labels[r]]} for logits {@code
   * [rows, classes]} and integer labels {@code [rows]} already checked to lie in {@code [0,
   * classes)}: one {@link SoftmaxCrossEntropyOp} (forward and gradient each one pass) when {@link
   * Fusion} is on and the backend has the {@link SoftmaxCrossEntropy} capability, else {@code
   * -sum(logSoftmax(z) * oneHot(labels), -1)}.
   */
  public static Tensor sparseSoftmaxCrossEntropy(Operand logits, Operand labels) {
    Tensor[] in = Dispatch.values(logits, labels);
    SoftmaxCrossEntropyOp op = new SoftmaxCrossEntropyOp();
    if (Fusion.enabled()
        && in[0].rank() == 2
        && in[0].dtype().isFloating()
        && in[0].backend() instanceof SoftmaxCrossEntropy) {
      return Dispatch.run1(op, in);
    }
    return op.decompose(in)[0];
  }
}
