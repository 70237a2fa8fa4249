package dev.sonnet.optimizers;

import dev.sonnet.backend.FusedUpdate.Rule;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.OptimizerUpdates;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * Stochastic gradient descent: {@code p -= learningRate * g}. No slots; only the {@code step}
 * counter (see {@link Optimizer}).
 *
 * <pre>{@code
 * var sgd = new SGD(0.1);
 * sgd.apply(grads, model.trainableVariables());
 * }</pre>
 */
public final class SGD extends Optimizer {
  /** SGD with a constant learning rate; no default, as in Sonnet (0.1 suits many MLPs). */
  public SGD(double learningRate) {
    this(LearningRate.constant(learningRate), null);
  }

  /** SGD with a scheduled or variable learning rate. */
  public SGD(LearningRate learningRate) {
    this(learningRate, null);
  }

  /**
   * Every setting: SGD named {@code name} (null for {@code sgd}).
   *
   * @param learningRate the step size; required, as in Sonnet
   * @param name the module name, or null for {@code sgd}
   */
  @Settings
  public SGD(LearningRate learningRate, String name) {
    super(learningRate, name);
  }

  @Override
  protected void createSlots(List<Variable> parameters) {}

  @Override
  protected void update(int index, Variable parameter, Tensor update, double rate, long t) {
    // p - g * rate, one pass (OptimizerUpdates): bit-for-bit assignSub(update.mul(rate)).
    OptimizerUpdates.apply(Rule.SGD, new double[] {rate}, parameter, update, List.of());
  }
}
