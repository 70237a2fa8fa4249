package dev.sonnet.optimizers;

import dev.sonnet.backend.FusedUpdate.Rule;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.OptimizerUpdates;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * RMSProp (Hinton's lecture 6e), with momentum and the centered variant (Graves, 2013), as Sonnet's
 * {@code snt.optimizers.RMSProp}:
 *
 * <pre>
 * ms  = decay * ms + (1 - decay) * g^2
 * mg  = decay * mg + (1 - decay) * g                 (centered only)
 * den = ms - mg^2 (centered) or ms
 * mom = momentum * mom + learningRate * g / sqrt(den + epsilon)
 * p  -= mom
 * </pre>
 *
 * <p>Epsilon is added <em>inside</em> the square root. Slots: {@code ms_<i>}, {@code mom_<i>} and,
 * when centered, {@code mg_<i>} per parameter, all zeros at first.
 *
 * <pre>{@code
 * var opt = new RMSProp(1e-3);
 * var centered = RMSProp.builder(1e-3).momentum(0.9).centered(true).build();
 * }</pre>
 */
public final class RMSProp extends Optimizer {
  /** {@code 0.9}: Sonnet's default decay of the mean square. */
  public static final double DEFAULT_DECAY = 0.9;

  /** {@code 0.0}: no momentum by default, as in Sonnet. */
  public static final double DEFAULT_MOMENTUM = 0.0;

  /** {@code 1e-10}: Sonnet's default; small because it sits inside the square root. */
  public static final double DEFAULT_EPSILON = 1e-10;

  /** {@code false}: uncentered by default, as in Sonnet (one slot fewer per parameter). */
  public static final boolean DEFAULT_CENTERED = false;

  final double decay;
  final double momentum;
  final double epsilon;
  final boolean centered;
  private final List<Variable> ms = new ArrayList<>();
  private final List<Variable> mom = new ArrayList<>();
  private final List<Variable> mg = new ArrayList<>();

  /** RMSProp with default decay, momentum, epsilon, uncentered; the rate is required. */
  public RMSProp(double learningRate) {
    this(
        LearningRate.constant(learningRate),
        DEFAULT_DECAY,
        DEFAULT_MOMENTUM,
        DEFAULT_EPSILON,
        DEFAULT_CENTERED,
        null);
  }

  /**
   * Starts an RMSProp with a constant learning rate and every other setting at its default, e.g.
   * {@code RMSProp.builder(1e-3).centered(true).build()}.
   *
   * @param learningRate the step size; required, as in Sonnet (1e-3 is usual)
   */
  public static RMSPropBuilder builder(double learningRate) {
    return new RMSPropBuilder(LearningRate.constant(learningRate));
  }

  /**
   * Starts an RMSProp with a scheduled or variable learning rate and every other setting at its
   * default.
   *
   * @param learningRate the step size; required, as in Sonnet
   */
  public static RMSPropBuilder builder(LearningRate learningRate) {
    return new RMSPropBuilder(learningRate);
  }

  /**
   * Every setting; called by {@link RMSPropBuilder}, which documents each and its default.
   *
   * @param learningRate the step size; required, as in Sonnet (1e-3 is usual)
   * @param decay decay of the moving averages, in {@code [0, 1]}; default 0.9
   * @param momentum decay of the momentum, in {@code [0, 1)}; default 0
   * @param epsilon added to the denominator inside the square root, {@code >= 0}; default 1e-10
   * @param centered whether to divide by the estimated variance of the gradient instead of its
   *     uncentered second moment; steadier, one more slot; default false
   * @param name the module name, or null for {@code rms_prop}
   */
  @Settings
  RMSProp(
      LearningRate learningRate,
      double decay,
      double momentum,
      double epsilon,
      boolean centered,
      String name) {
    super(learningRate, name);
    this.decay = checkRange("RMSProp", "decay", decay, 0, 1, true);
    this.momentum = checkRange("RMSProp", "momentum", momentum, 0, 1, false);
    this.epsilon = checkRange("RMSProp", "epsilon", epsilon, 0, Double.MAX_VALUE, true);
    this.centered = centered;
  }

  @Override
  protected void createSlots(List<Variable> parameters) {
    for (int i = 0; i < parameters.size(); i++) {
      ms.add(slot("ms", i, parameters.get(i)));
    }
    for (int i = 0; i < parameters.size(); i++) {
      mom.add(slot("mom", i, parameters.get(i)));
    }
    if (centered) {
      for (int i = 0; i < parameters.size(); i++) {
        mg.add(slot("mg", i, parameters.get(i)));
      }
    }
  }

  @Override
  protected void update(int index, Variable parameter, Tensor g, double rate, long t) {
    // ms' = ms decay + g^2 (1 - decay); centered: mg' = mg decay + g (1 - decay) and the
    // denominator ms' - mg'^2; mom' = mom momentum + g rate rsqrt(denominator + epsilon);
    // p' = p - mom', in one pass (OptimizerUpdates; its decomposition is this formula).
    OptimizerUpdates.apply(
        centered ? Rule.RMSPROP_CENTERED : Rule.RMSPROP,
        new double[] {rate, decay, 1 - decay, momentum, epsilon},
        parameter,
        g,
        centered
            ? List.of(ms.get(index), mom.get(index), mg.get(index))
            : List.of(ms.get(index), mom.get(index)));
  }
}
