package dev.sonnet.optimizers;

import dev.sonnet.backend.FusedUpdate.Rule;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.OptimizerUpdates;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma and Ba, 2015, Algorithm 1), as Sonnet's {@code snt.optimizers.Adam}:
 *
 * <pre>
 * t += 1                                   (the step variable, once per apply)
 * m  = beta1 * m + (1 - beta1) * g
 * v  = beta2 * v + (1 - beta2) * g^2
 * m_hat = m / (1 - beta1^t)
 * v_hat = v / (1 - beta2^t)
 * p -= learningRate * m_hat / (sqrt(v_hat) + epsilon)
 * </pre>
 *
 * <p>Epsilon is added <em>outside</em> the square root and to the bias-corrected {@code v_hat}, as
 * in the paper and Sonnet (Keras adds an epsilon-hat to the uncorrected one). Slots: {@code m_<i>}
 * and {@code v_<i>} per parameter, zeros at first, and {@code step}.
 *
 * <pre>{@code
 * var opt = new Adam(1e-3);
 * var tuned = Adam.builder().learningRate(LearningRate.cosineDecay(1e-3, 10_000)).beta2(0.98).build();
 * }</pre>
 */
public final class Adam extends Optimizer {
  /** {@code 0.001} (constant): the paper's and Sonnet's default step size. */
  public static final LearningRate DEFAULT_LEARNING_RATE = LearningRate.constant(0.001);

  /** {@code 0.9}: decay of the first moment; the paper's default. */
  public static final double DEFAULT_BETA1 = 0.9;

  /** {@code 0.999}: decay of the second moment; the paper's default. */
  public static final double DEFAULT_BETA2 = 0.999;

  /** {@code 1e-8}: keeps the division finite where {@code v_hat} is 0; the paper's default. */
  public static final double DEFAULT_EPSILON = 1e-8;

  final double beta1;
  final double beta2;
  final double epsilon;
  private final List<Variable> m = new ArrayList<>();
  private final List<Variable> v = new ArrayList<>();

  /** Adam with all defaults (learning rate 0.001). */
  public Adam() {
    this(DEFAULT_LEARNING_RATE, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, null);
  }

  /** Adam with a constant learning rate and default betas and epsilon. */
  public Adam(double learningRate) {
    this(LearningRate.constant(learningRate), DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, null);
  }

  /**
   * Starts an Adam with every setting at its default, e.g. {@code
   * Adam.builder().learningRate(LearningRate.constant(1e-4)).epsilon(1e-7).build()}.
   */
  public static AdamBuilder builder() {
    return new AdamBuilder();
  }

  /**
   * Every setting; called by {@link AdamBuilder}, which documents each and its default.
   *
   * @param learningRate the step size; default 0.001
   * @param beta1 decay of the first-moment estimate, in {@code [0, 1)}; default 0.9
   * @param beta2 decay of the second-moment estimate, in {@code [0, 1)}; default 0.999
   * @param epsilon added to {@code sqrt(v_hat)}, {@code >= 0}; default 1e-8
   * @param name the module name, or null for {@code adam}
   */
  @Settings
  Adam(LearningRate learningRate, double beta1, double beta2, double epsilon, String name) {
    super(learningRate, name);
    this.beta1 = checkRange("Adam", "beta1", beta1, 0, 1, false);
    this.beta2 = checkRange("Adam", "beta2", beta2, 0, 1, false);
    this.epsilon = checkRange("Adam", "epsilon", epsilon, 0, Double.MAX_VALUE, true);
  }

  @Override
  protected void createSlots(List<Variable> parameters) {
    for (int i = 0; i < parameters.size(); i++) {
      m.add(slot("m", i, parameters.get(i)));
    }
    for (int i = 0; i < parameters.size(); i++) {
      v.add(slot("v", i, parameters.get(i)));
    }
  }

  @Override
  protected void update(int index, Variable parameter, Tensor g, double rate, long t) {
    // m' = m b1 + g (1 - b1); v' = v b2 + g^2 (1 - b2);
    // p' = p - (m' / (1 - b1^t)) rate / (sqrt(v' / (1 - b2^t)) + epsilon), in one pass
    // (OptimizerUpdates; its decomposition is this formula in tensor ops).
    double mCorrection = 1 - Math.pow(beta1, t);
    double vCorrection = 1 - Math.pow(beta2, t);
    OptimizerUpdates.apply(
        Rule.ADAM,
        new double[] {rate, beta1, 1 - beta1, beta2, 1 - beta2, mCorrection, vCorrection, epsilon},
        parameter,
        g,
        List.of(m.get(index), v.get(index)));
  }
}
