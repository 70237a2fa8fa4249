package dev.sonnet.ops;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.SoftmaxCrossEntropy;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;

/**
 * The gradient of {@link SoftmaxCrossEntropyOp} in one pass: inputs {@code [logits [rows, classes],
 * labels [rows], upstream [rows]]}, output {@code (softmax(z) - onehot(labels)) * upstream[:,
 * None]}, computed in double per row and rounded once.
 *
 * <p><b>Decomposition</b> ({@link #decompose}): {@code softmax(z, -1).sub(oneHot(labels)).mul(
 * upstream.reshape(rows, 1))}. Its own gradient (for second-order derivatives) is written with
 * those differentiable operations: with {@code p = softmax(z)} and {@code G} the upstream gradient,
 * {@code dz = p * (Gu - sum(Gu * p, -1))} for {@code Gu = G * upstream[:, None]}, and {@code
 * dupstream = sum(G * (p - onehot), -1)}.
 */
record SoftmaxCrossEntropyGradOp() implements FusedOp {

  @Override
  public String name() {
    return "softmax_cross_entropy_grad";
  }

  @Override
  public Tensor[] forward(Tensor[] in) {
    Tensor z = in[0];
    Tensor labels = in[1];
    Tensor u = in[2];
    SoftmaxCrossEntropyOp.check(name(), z, labels);
    if (!u.shape().equals(Shape.of(z.dim(0))) || u.dtype() != z.dtype()) {
      throw new ShapeException(
          name()
              + ": upstream "
              + u.dtype()
              + u.shape()
              + " must be "
              + z.dtype()
              + "["
              + z.dim(0)
              + "]");
    }
    Tensor g = OpSupport.allocateUninitialized(z.backend(), z.dtype(), z.shape());
    if (!(z.backend() instanceof SoftmaxCrossEntropy k)
        || !k.softmaxCrossEntropyGradient(
            z.buffer(), labels.buffer(), u.buffer(), z.dim(0), z.dim(1), g.buffer())) {
      throw new SonnetException(
          name()
              + ": backend "
              + z.backend().name()
              + " has no kernel for "
              + z.dtype()
              + "; run decompose(inputs)");
    }
    return new Tensor[] {g};
  }

  @Override
  public Tensor[] decompose(Tensor[] in) {
    Tensor z = in[0];
    Tensor oneHot = ShapeOps.oneHot(in[1], z.dim(1), z.dtype());
    return new Tensor[] {Activations.softmax(z, -1).sub(oneHot).mul(in[2].reshape(z.dim(0), 1))};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor z = inputs[0];
    Tensor u = inputs[2].reshape(z.dim(0), 1);
    Tensor g = upstream[0];
    Tensor p = Activations.softmax(z, -1);
    Tensor gu = g.mul(u);
    Tensor dz = p.mul(gu.sub(gu.mul(p).sum(true, -1)));
    Tensor oneHot = ShapeOps.oneHot(inputs[1], z.dim(1), z.dtype());
    Tensor du = g.mul(p.sub(oneHot)).sum(-1);
    return new Tensor[] {dz, null, du};
  }
}
