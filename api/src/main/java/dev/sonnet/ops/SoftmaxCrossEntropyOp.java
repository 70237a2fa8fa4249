package dev.sonnet.ops;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.SoftmaxCrossEntropy;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;

/**
 * Softmax cross-entropy against integer labels in one pass: inputs {@code [logits [rows, classes],
 * labels [rows]]} (labels INT32 or INT64), output the per-example loss {@code [rows]}, {@code
 * logsumexp(z_r) - z[r, labels[r]]}, computed in double per row by the {@link SoftmaxCrossEntropy}
 * capability and rounded once. Its gradient is one {@link SoftmaxCrossEntropyGradOp} (one pass
 * again): {@code (softmax(z) - onehot(labels)) * upstream[:, None]}.
 *
 * <p><b>Decomposition</b> ({@link #decompose}): {@code -sum(logSoftmax(z, -1) * oneHot(labels),
 * -1)}, the operations {@code Losses.softmaxCrossEntropy} always used. Not bit-for-bit: the
 * decomposition rounds after each of its float operations, the fused kernel once from double; they
 * agree to a few units in the last place of the row's magnitudes ({@code FusionConformanceTest}
 * states the bound).
 */
record SoftmaxCrossEntropyOp() implements FusedOp {

  @Override
  public String name() {
    return "softmax_cross_entropy";
  }

  static void check(String op, Tensor z, Tensor labels) {
    OpSupport.requireFloating(op, z);
    if (z.rank() != 2 || labels.rank() != 1 || labels.dim(0) != z.dim(0)) {
      throw new ShapeException(
          op
              + ": logits "
              + z.shape()
              + " and labels "
              + labels.shape()
              + " must be [rows, classes] and [rows]");
    }
    if (!labels.dtype().isInteger()) {
      throw new ShapeException(op + ": labels must be INT32 or INT64, got " + labels.dtype());
    }
  }

  @Override
  public Tensor[] forward(Tensor[] in) {
    Tensor z = in[0];
    Tensor labels = in[1];
    check(name(), z, labels);
    Tensor loss = OpSupport.allocateUninitialized(z.backend(), z.dtype(), Shape.of(z.dim(0)));
    if (!(z.backend() instanceof SoftmaxCrossEntropy k)
        || !k.softmaxCrossEntropyLoss(
            z.buffer(), labels.buffer(), z.dim(0), z.dim(1), loss.buffer())) {
      throw new SonnetException(
          name()
              + ": backend "
              + z.backend().name()
              + " has no kernel for "
              + z.dtype()
              + "; run decompose(inputs) (CrossEntropy does so by itself)");
    }
    return new Tensor[] {loss};
  }

  @Override
  public Tensor[] decompose(Tensor[] in) {
    check(name(), in[0], in[1]);
    Tensor oneHot = ShapeOps.oneHot(in[1], in[0].dim(1), in[0].dtype());
    return new Tensor[] {in[0].logSoftmax(-1).mul(oneHot).sum(-1).neg()};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return new Tensor[] {
      Dispatch.run1(new SoftmaxCrossEntropyGradOp(), inputs[0], inputs[1], upstream[0]), null
    };
  }
}
