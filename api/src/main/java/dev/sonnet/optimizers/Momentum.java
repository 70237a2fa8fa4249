package dev.sonnet.optimizers;

import dev.sonnet.backend.FusedUpdate.Rule;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.OptimizerUpdates;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum (Polyak's heavy ball), optionally Nesterov's variant, as Sonnet's {@code
 * snt.optimizers.Momentum}:
 *
 * <pre>
 * acc = momentum * acc + g
 * p  -= learningRate * acc                     (classic)
 * p  -= learningRate * (momentum * acc + g)    (Nesterov, with the updated acc)
 * </pre>
 *
 * <p>Slots: {@code accumulated_momentum_<i>} per parameter, zeros at first.
 *
 * <pre>{@code
 * var opt = new Momentum(0.1, 0.9);
 * var nesterov = Momentum.builder(0.1, 0.9).useNesterov(true).build();
 * }</pre>
 */
public final class Momentum extends Optimizer {
  /** {@code false}: classic (heavy-ball) momentum, as in Sonnet. */
  public static final boolean DEFAULT_USE_NESTEROV = false;

  final double momentum;
  final boolean useNesterov;
  private final List<Variable> accumulated = new ArrayList<>();

  /** Classic momentum; {@code momentum} is required, as in Sonnet (0.9 is usual). */
  public Momentum(double learningRate, double momentum) {
    this(LearningRate.constant(learningRate), momentum, DEFAULT_USE_NESTEROV, null);
  }

  /**
   * Starts a momentum optimizer with a constant learning rate and every other setting at its
   * default, e.g. {@code Momentum.builder(0.1, 0.9).useNesterov(true).build()}.
   *
   * @param learningRate the step size
   * @param momentum the decay of the accumulator, in {@code [0, 1)}; required, as in Sonnet (0.9 is
   *     usual)
   */
  public static MomentumBuilder builder(double learningRate, double momentum) {
    return new MomentumBuilder(LearningRate.constant(learningRate), momentum);
  }

  /**
   * Starts a momentum optimizer with a scheduled or variable learning rate and every other setting
   * at its default.
   *
   * @param learningRate the step size
   * @param momentum the decay of the accumulator, in {@code [0, 1)}; 0.9 is usual
   */
  public static MomentumBuilder builder(LearningRate learningRate, double momentum) {
    return new MomentumBuilder(learningRate, momentum);
  }

  /**
   * Every setting; called by {@link MomentumBuilder}, which documents each and its default.
   *
   * @param learningRate the step size
   * @param momentum the decay of the accumulator, in {@code [0, 1)}; 0.9 is usual
   * @param useNesterov whether to look ahead along the accumulator (Sutskever et al., 2013);
   *     default false
   * @param name the module name, or null for {@code momentum}
   */
  @Settings
  Momentum(LearningRate learningRate, double momentum, boolean useNesterov, String name) {
    super(learningRate, name);
    this.momentum = checkRange("Momentum", "momentum", momentum, 0, 1, false);
    this.useNesterov = useNesterov;
  }

  @Override
  protected void createSlots(List<Variable> parameters) {
    for (int i = 0; i < parameters.size(); i++) {
      accumulated.add(slot("accumulated_momentum", i, parameters.get(i)));
    }
  }

  @Override
  protected void update(int index, Variable parameter, Tensor update, double rate, long t) {
    // a' = a * momentum + g; p' = p - (nesterov ? a' * momentum + g : a') * rate, in one pass
    // (OptimizerUpdates; its decomposition is this formula in tensor ops).
    OptimizerUpdates.apply(
        useNesterov ? Rule.NESTEROV : Rule.MOMENTUM,
        new double[] {rate, momentum},
        parameter,
        update,
        List.of(accumulated.get(index)));
  }
}
