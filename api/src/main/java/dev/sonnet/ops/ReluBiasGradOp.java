package dev.sonnet.ops;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.DirectConvolution;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;

/**
 * The gradient through {@link FusedConvOp}'s bias and ReLU in one pass: inputs {@code [y, g]} (the
 * ReLU's output and the upstream gradient, both {@code [..., channels]}), outputs {@code dz =
 * where(y > 0, g, 0)} and, with a bias, {@code db = dz} summed over every axis but the last. It
 * replaces three passes over the largest activation of a ConvNet (the comparison, writing a boolean
 * mask, the select, then the bias reduction, which runs on one thread) with one, in parallel, on a
 * backend whose {@link DirectConvolution#hasReluBiasGradient} names the dtype.
 *
 * <p><b>Decomposition</b> ({@link #decompose}): {@code where(greater(y, 0), g, 0)} and {@code
 * sum(dz, 0..rank-2)}. {@code dz} is bit for bit the decomposition's (a select); {@code db} sums
 * the same floats in another fixed order (see {@link DirectConvolution#reluBiasGradient}), so it is
 * within the float summation bound of the reduction's, {@code rows * 2^-24 * sum |dz|} each.
 *
 * <p>Its own gradient (second order): {@code y} gets none (the mask is piecewise constant), {@code
 * g} gets {@code where(y > 0, G_dz + G_db, 0)}.
 *
 * @param hasBias whether the second output, the bias gradient, is computed
 */
record ReluBiasGradOp(boolean hasBias) implements FusedOp {

  @Override
  public String name() {
    return hasBias ? "relu_bias_grad" : "relu_grad";
  }

  /** Whether {@code y}'s backend computes this op in one pass for {@code y}'s dtype. */
  static boolean available(Tensor y) {
    return y.backend() instanceof DirectConvolution d && d.hasReluBiasGradient(y.dtype());
  }

  private void check(Tensor y, Tensor g) {
    if (!y.shape().equals(g.shape()) || y.dtype() != g.dtype() || y.rank() < 1) {
      throw new ShapeException(
          name()
              + ": output "
              + y.dtype()
              + y.shape()
              + " and upstream "
              + g.dtype()
              + g.shape()
              + " must have one shape (rank at least 1) and dtype");
    }
  }

  @Override
  public Tensor[] forward(Tensor[] in) {
    Tensor y = in[0];
    Tensor g = in[1];
    check(y, g);
    int channels = y.dim(-1);
    long rows = channels == 0 ? 0 : y.size() / channels;
    Tensor dz = OpSupport.allocateUninitialized(y.backend(), y.dtype(), y.shape());
    Tensor db =
        hasBias
            ? OpSupport.allocateUninitialized(y.backend(), y.dtype(), Shape.of(channels))
            : null;
    if (!(y.backend() instanceof DirectConvolution d)
        || !d.reluBiasGradient(
            y.buffer(), g.buffer(), rows, channels, dz.buffer(), db == null ? null : db.buffer())) {
      throw new SonnetException(
          name()
              + ": backend "
              + y.backend().name()
              + " has no kernel for "
              + y.dtype()
              + "; run decompose(inputs)");
    }
    return hasBias ? new Tensor[] {dz, db} : new Tensor[] {dz};
  }

  @Override
  public Tensor[] decompose(Tensor[] in) {
    check(in[0], in[1]);
    Tensor dz = Epilogue.preActivationGradient(UnaryKind.RELU, in[0], in[1]);
    return hasBias ? new Tensor[] {dz, Epilogue.biasGradient(dz)} : new Tensor[] {dz};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor y = inputs[0];
    Tensor sum = hasBias ? upstream[0].add(upstream[1]) : upstream[0];
    return new Tensor[] {null, Epilogue.preActivationGradient(UnaryKind.RELU, y, sum)};
  }
}
