package dev.sonnet.ops;

import dev.sonnet.backend.FusedUpdate;
import dev.sonnet.backend.FusedUpdate.Rule;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * Where the optimizers of {@code dev.sonnet.optimizers} apply a step: one {@link OptimizerUpdateOp}
 * (a single pass over the parameter, its gradient and its slots) when {@link Fusion} is on and the
 * backend has the {@link FusedUpdate} capability, else the op's decomposition into elementwise ops:
 * the same formula, the same result (see {@link OptimizerUpdateOp} for the one ulp RMSProp may
 * differ by on the scalar reference backend).
 */
public final class OptimizerUpdates {
  private OptimizerUpdates() {}

  /**
   * Replaces {@code parameter}'s value by {@code rule}'s step with gradient {@code grad}, and each
   * slot's by its new value. Call with recording paused (as {@code Optimizer.apply} does).
   *
   * @param hyper the rule's scalars, as {@link FusedUpdate} lists them
   * @param slots the rule's slot variables in {@link FusedUpdate}'s order
   */
  public static void apply(
      Rule rule, double[] hyper, Variable parameter, Tensor grad, List<Variable> slots) {
    OptimizerUpdateOp op = new OptimizerUpdateOp(rule, hyper);
    Tensor[] in = new Tensor[2 + slots.size()];
    in[1] = grad;
    for (int i = 0; i < slots.size(); i++) in[2 + i] = slots.get(i).peek();
    Tensor[][] out = new Tensor[1][];
    parameter.assignUpdate(
        op.name(),
        p -> {
          in[0] = p;
          boolean fused =
              Fusion.enabled() && p.backend() instanceof FusedUpdate && p.dtype().isFloating();
          out[0] = fused ? Dispatch.run(op, in) : op.decompose(in);
          return out[0][0];
        });
    for (int i = 0; i < slots.size(); i++) slots.get(i).assign(out[0][1 + i]);
  }
}
