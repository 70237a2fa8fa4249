package dev.sonnet.ops;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.Backend;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.FusedUpdate;
import dev.sonnet.backend.FusedUpdate.Rule;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * One optimizer step for one parameter in one pass: inputs {@code [p, g, slots...]}, outputs {@code
 * [p', slots'...]}, the formula of {@link FusedUpdate}'s {@code rule} (SGD, Momentum, Nesterov
 * momentum, Adam, RMSProp, centered RMSProp) with its {@code hyper}-parameters. Run by {@link
 * OptimizerUpdates}; not differentiable (optimizer steps are never recorded).
 *
 * <p><b>Decomposition</b> ({@link #decompose}): the formula with the elementwise tensor ops {@code
 * mul}, {@code add}, {@code sub}, {@code div}, {@code square}, {@code sqrt}, {@code rsqrt} and
 * scalar constants, in the order the optimizers always wrote it. The fused CPU kernel is
 * bit-for-bit that decomposition on both CPU kernel sets, except for RMSProp's {@code rsqrt}, which
 * the scalar reference kernel (and the vector kernel's tail) rounds once from double and the fused
 * kernel (like the vector kernel on full vectors) computes as {@code 1 / sqrt} in float: one unit
 * in the last place of the factor at most.
 */
record OptimizerUpdateOp(Rule rule, double[] hyper) implements FusedOp {

  OptimizerUpdateOp {
    if (hyper.length != rule.hyperParameters()) {
      throw new IllegalArgumentException(
          "optimizer_update "
              + rule
              + ": expected "
              + rule.hyperParameters()
              + " hyper-parameters, got "
              + hyper.length);
    }
    hyper = hyper.clone();
  }

  @Override
  public String name() {
    return "optimizer_update";
  }

  /** The hyper-parameters, a copy (the op is an immutable value). */
  @Override
  public double[] hyper() {
    return hyper.clone();
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    check(inputs);
    Tensor p = inputs[0];
    Backend backend = p.backend();
    if (!(backend instanceof FusedUpdate fused)) {
      throw new SonnetException(
          "optimizer_update: backend "
              + backend.name()
              + " has no FusedUpdate capability; run "
              + "the op's decompose(inputs) (OptimizerUpdates does so by itself)");
    }
    DeviceBuffer[] in = new DeviceBuffer[inputs.length];
    for (int i = 0; i < inputs.length; i++) in[i] = inputs[i].buffer();
    Tensor[] outputs = new Tensor[1 + rule.slots()];
    DeviceBuffer[] out = new DeviceBuffer[outputs.length];
    for (int i = 0; i < outputs.length; i++) {
      outputs[i] = OpSupport.allocateUninitialized(backend, p.dtype(), p.shape());
      out[i] = outputs[i].buffer();
    }
    if (!fused.fusedUpdate(rule, hyper, in, out, p.size())) {
      throw new SonnetException(
          "optimizer_update: backend "
              + backend.name()
              + " declined "
              + rule
              + " for "
              + p.dtype()
              + "; run the op's decompose(inputs)");
    }
    return outputs;
  }

  /** Throws unless there are {@code 2 + slots} inputs of one floating dtype and shape. */
  void check(Tensor[] inputs) {
    if (inputs.length != 2 + rule.slots()) {
      throw new IllegalArgumentException(
          "optimizer_update "
              + rule
              + ": expected "
              + (2 + rule.slots())
              + " inputs (parameter, "
              + "gradient, "
              + rule.slots()
              + " slots), got "
              + inputs.length);
    }
    Tensor p = inputs[0];
    OpSupport.requireFloating("optimizer_update", p);
    for (int i = 1; i < inputs.length; i++) {
      if (!inputs[i].shape().equals(p.shape()) || inputs[i].dtype() != p.dtype()) {
        throw new ShapeException(
            "optimizer_update "
                + rule
                + ": input "
                + i
                + " is "
                + inputs[i].dtype()
                + inputs[i].shape()
                + ", expected the parameter's "
                + p.dtype()
                + p.shape());
      }
    }
  }

  @Override
  public Tensor[] decompose(Tensor[] in) {
    check(in);
    Tensor p = in[0];
    Tensor g = in[1];
    double[] h = hyper;
    double lr = h[0];
    return switch (rule) {
      case SGD -> new Tensor[] {p.sub(g.mul(lr))};
      case MOMENTUM, NESTEROV -> {
        Tensor a = in[2].mul(h[1]).add(g);
        Tensor direction = rule == Rule.NESTEROV ? a.mul(h[1]).add(g) : a;
        yield new Tensor[] {p.sub(direction.mul(lr)), a};
      }
      case ADAM -> {
        Tensor m = in[2].mul(h[1]).add(g.mul(h[2]));
        Tensor v = in[3].mul(h[3]).add(g.square().mul(h[4]));
        Tensor mHat = m.div(h[5]);
        Tensor vHat = v.div(h[6]);
        yield new Tensor[] {p.sub(mHat.mul(lr).div(vHat.sqrt().add(h[7]))), m, v};
      }
      case RMSPROP, RMSPROP_CENTERED -> {
        Tensor ms = in[2].mul(h[1]).add(g.square().mul(h[2]));
        Tensor denominator = ms;
        Tensor mg = null;
        if (rule == Rule.RMSPROP_CENTERED) {
          mg = in[4].mul(h[1]).add(g.mul(h[2]));
          denominator = ms.sub(mg.square());
        }
        Tensor mom = in[3].mul(h[3]).add(g.mul(lr).mul(denominator.add(h[4]).rsqrt()));
        yield mg == null
            ? new Tensor[] {p.sub(mom), ms, mom}
            : new Tensor[] {p.sub(mom), ms, mom, mg};
      }
    };
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    throw new UnsupportedOperationException(
        "optimizer_update is an optimizer step, which gradient tapes never record");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OptimizerUpdateOp u && u.rule == rule && Arrays.equals(u.hyper, hyper);
  }

  @Override
  public int hashCode() {
    return rule.hashCode() * 31 + Arrays.hashCode(hyper);
  }

  @Override
  public String toString() {
    return "OptimizerUpdateOp[" + rule + ", " + Arrays.toString(hyper) + "]";
  }
}
