package dev.sonnet.conformance.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.optimizers.GradientClipping;
import dev.sonnet.optimizers.LearningRate;
import dev.sonnet.optimizers.Momentum;
import dev.sonnet.optimizers.Optimizer;
import dev.sonnet.optimizers.RMSProp;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The optimizers on the quadratic {@code L(p) = sum(p^2) / 2}, whose gradient is {@code p} itself,
 * so each update can be followed by hand. Parameters are float64, so the comparisons can be tight
 * (1e-12): the only differences are the order of double operations.
 */
class OptimizersConformanceTest {
  private static final double[] START = {1.0, -2.0, 0.5};
  private static final double TIGHT = 1e-12;

  private static Variable parameter() {
    return new Variable("p", Tensor.of(START.clone(), START.length), true);
  }

  /** Runs {@code steps} steps of {@code opt} on the quadratic, the gradient taken by a tape. */
  private static double[] run(Optimizer opt, int steps) {
    Variable p = parameter();
    for (int i = 0; i < steps; i++) {
      List<Tensor> grads;
      try (GradientTape tape = GradientTape.open()) {
        Tensor loss = p.read().square().sum().mul(0.5);
        grads = tape.gradient(loss, List.of(p));
      }
      opt.apply(grads, List.of(p));
    }
    return p.peek().toDoubleArray();
  }

  private static double[] scaled(double factor) {
    return Arrays.stream(START).map(x -> x * factor).toArray();
  }

  private static void assertClose(double[] actual, double[] expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], offset(TIGHT));
    }
  }

  @Test
  void sgd_threeSteps_multiplyByOneMinusRateEachStep() {
    // p <- p - 0.1 p = 0.9 p, three times: 0.729 p0
    assertClose(run(new SGD(0.1), 3), scaled(0.729));
  }

  @Test
  void momentum_threeSteps_matchHandDerivedValues() {
    // acc1 = p0, p1 = 0.9 p0; acc2 = 0.9 p0 + 0.9 p0 = 1.8 p0, p2 = 0.9 p0 - 0.18 p0 = 0.72 p0;
    // acc3 = 1.62 p0 + 0.72 p0 = 2.34 p0, p3 = 0.72 p0 - 0.234 p0 = 0.486 p0
    assertClose(run(new Momentum(0.1, 0.9), 3), scaled(0.486));
  }

  @Test
  void nesterov_twoSteps_lookAheadAlongTheAccumulator() {
    // acc1 = p0, p1 = p0 - 0.1 (0.9 p0 + p0) = 0.81 p0; acc2 = 0.9 p0 + 0.81 p0 = 1.71 p0,
    // p2 = 0.81 p0 - 0.1 (0.9 * 1.71 p0 + 0.81 p0) = 0.5751 p0
    var opt = Momentum.builder(0.1, 0.9).useNesterov(true).build();
    assertClose(run(opt, 2), scaled(0.5751));
  }

  @Test
  void adam_firstStep_movesEachParameterByTheLearningRate() {
    // m_hat = g, v_hat = g^2, so the first step is lr * g / (|g| + eps) = lr * sign(g)
    double[] p = run(new Adam(0.1), 1);
    for (int i = 0; i < START.length; i++) {
      assertThat(p[i]).isCloseTo(START[i] - 0.1 * Math.signum(START[i]), offset(1e-8));
    }
  }

  @Test
  void adam_fiveSteps_matchTheAlgorithmWithEpsilonOutsideTheRoot() {
    double lr = 0.05;
    double b1 = 0.8;
    double b2 = 0.9;
    double eps = 0.1; // large, so its placement (outside the root, on v_hat) shows
    var opt =
        Adam.builder()
            .learningRate(LearningRate.constant(lr))
            .beta1(b1)
            .beta2(b2)
            .epsilon(eps)
            .build();
    double[] expected = START.clone();
    double[] m = new double[START.length];
    double[] v = new double[START.length];
    for (int t = 1; t <= 5; t++) {
      for (int i = 0; i < START.length; i++) {
        double g = expected[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        double mHat = m[i] / (1 - Math.pow(b1, t));
        double vHat = v[i] / (1 - Math.pow(b2, t));
        expected[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
      }
    }
    assertClose(run(opt, 5), expected);
    assertThat(opt.step()).isEqualTo(5);
  }

  @Test
  void rmsProp_threeSteps_matchTheRuleWithEpsilonInsideTheRoot() {
    double lr = 0.01;
    double decay = 0.9;
    double mu = 0.5;
    double eps = 0.01;
    for (boolean centered : new boolean[] {false, true}) {
      var opt =
          RMSProp.builder(lr).decay(decay).momentum(mu).epsilon(eps).centered(centered).build();
      double[] expected = START.clone();
      double[] ms = new double[START.length];
      double[] mg = new double[START.length];
      double[] mom = new double[START.length];
      for (int t = 1; t <= 3; t++) {
        for (int i = 0; i < START.length; i++) {
          double g = expected[i];
          ms[i] = decay * ms[i] + (1 - decay) * g * g;
          mg[i] = decay * mg[i] + (1 - decay) * g;
          double denominator = centered ? ms[i] - mg[i] * mg[i] : ms[i];
          mom[i] = mu * mom[i] + lr * g / Math.sqrt(denominator + eps);
          expected[i] -= mom[i];
        }
      }
      assertClose(run(opt, 3), expected);
    }
  }

  @Test
  void everyOptimizer_manySteps_reachesTheMinimum() {
    List<Optimizer> all =
        List.of(
            new SGD(0.5),
            new Momentum(0.1, 0.9),
            Momentum.builder(0.1, 0.9).useNesterov(true).build(),
            new Adam(0.1),
            new RMSProp(0.01),
            RMSProp.builder(0.01).momentum(0.5).centered(true).build());
    for (Optimizer opt : all) {
      double[] p = run(opt, 300);
      for (double x : p) {
        assertThat(Math.abs(x)).as("%s", opt).isLessThan(0.05);
      }
    }
  }

  @Test
  void state_isNonTrainableVariablesNamedAfterTheOptimizerAndTheParameter() {
    var adam = new Adam();
    run(adam, 1);
    assertThat(adam.variables())
        .extracting(Variable::name)
        .containsExactly("adam/step", "adam/m/p", "adam/v/p");
    assertThat(adam.trainableVariables()).isEmpty();
    assertThat(adam.nonTrainableVariables()).hasSize(3);

    var momentum = new Momentum(0.1, 0.9);
    run(momentum, 2);
    assertThat(momentum.variables())
        .extracting(Variable::name)
        .containsExactly("momentum/step", "momentum/accumulated_momentum/p");
    assertThat(momentum.step()).isEqualTo(2);

    var rms = RMSProp.builder(0.01).centered(true).build();
    run(rms, 1);
    assertThat(rms.variables())
        .extracting(Variable::name)
        .containsExactly("rms_prop/step", "rms_prop/ms/p", "rms_prop/mom/p", "rms_prop/mg/p");
  }

  @Test
  void repr_isTheConstructorCallWithoutDefaults() {
    assertThat(new SGD(0.1)).hasToString("SGD(learningRate=0.1)");
    assertThat(new Adam()).hasToString("Adam()");
    assertThat(Adam.builder().learningRate(LearningRate.constant(0.01)).beta1(0.5).build())
        .hasToString("Adam(learningRate=0.01, beta1=0.5)");
    assertThat(new Momentum(0.1, 0.9)).hasToString("Momentum(learningRate=0.1, momentum=0.9)");
    assertThat(new RMSProp(0.001)).hasToString("RMSProp(learningRate=0.001)");
  }

  @Test
  void learningRateVariable_assignedBetweenSteps_changesTheStep() {
    Variable lr = new Variable("lr", Tensor.scalar(0.1), false);
    var sgd = new SGD(LearningRate.of(lr));
    Variable p = parameter();
    sgd.apply(List.of(Tensor.of(new double[] {1, 1, 1}, 3)), List.of(p));
    lr.assign(Tensor.scalar(0.5));
    sgd.apply(List.of(Tensor.of(new double[] {1, 1, 1}, 3)), List.of(p));
    assertClose(p.peek().toDoubleArray(), new double[] {0.4, -2.6, -0.1});
  }

  @Test
  void schedule_seesTheNumberOfStepsAlreadyApplied() {
    List<Long> seen = new ArrayList<>();
    var sgd =
        new SGD(
            step -> {
              seen.add(step);
              return 0.0;
            });
    run(sgd, 3);
    assertThat(seen).containsExactly(0L, 1L, 2L);
    assertThat(LearningRate.exponentialDecay(1.0, 10, 0.5, false).at(10)).isEqualTo(0.5);
    assertThat(LearningRate.exponentialDecay(1.0, 10, 0.5, true).at(19)).isEqualTo(0.5);
    assertThat(LearningRate.piecewiseConstant(new long[] {5}, new double[] {1, 0.1}).at(5))
        .isEqualTo(0.1);
  }

  @Test
  void nullUpdate_leavesItsParameterUntouched() {
    Variable p = parameter();
    Variable q = new Variable("q", Tensor.of(new double[] {3}, 1), true);
    var sgd = new SGD(1.0);
    List<Tensor> updates = Arrays.asList(null, Tensor.of(new double[] {1}, 1));
    sgd.apply(updates, List.of(p, q));
    assertClose(p.peek().toDoubleArray(), START);
    assertClose(q.peek().toDoubleArray(), new double[] {2});
  }

  @Test
  void apply_withADifferentParameterList_failsNamingBothLists() {
    var adam = new Adam();
    Variable p = parameter();
    Variable q = new Variable("q", Tensor.of(START.clone(), 3), true);
    Tensor g = Tensor.of(new double[] {1, 1, 1}, 3);
    adam.apply(List.of(g), List.of(p));
    assertThatThrownBy(() -> adam.apply(List.of(g), List.of(q)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("first applied to [p], now to [q]");
  }

  @Test
  void apply_withMismatchedUpdates_failsWithTheRule() {
    var sgd = new SGD(0.1);
    Variable p = parameter();
    assertThatThrownBy(() -> sgd.apply(List.of(), List.of(p)))
        .hasMessageContaining("0 updates for 1 parameters");
    assertThatThrownBy(() -> sgd.apply(List.of(Tensor.of(new double[] {1, 2}, 2)), List.of(p)))
        .hasMessageContaining("update 0 is f64[2] but its parameter p is f64[3]");
    assertThatThrownBy(() -> sgd.apply(Arrays.asList((Tensor) null), List.of(p)))
        .hasMessageContaining("every update is null");
  }

  @Test
  void invalidHyperparameters_failInTheConstructor() {
    assertThatThrownBy(() -> new Momentum(0.1, 1.0)).hasMessageContaining("momentum < 1.0");
    assertThatThrownBy(() -> new SGD(-1)).hasMessageContaining(">= 0, got -1.0");
    assertThatThrownBy(
            () ->
                Adam.builder()
                    .learningRate(LearningRate.constant(0.1))
                    .beta1(1.0)
                    .beta2(0.9)
                    .build())
        .hasMessageContaining("beta1");
  }

  @Test
  void clipByGlobalNorm_aboveTheLimit_scalesAllGradientsTogether() {
    Tensor a = Tensor.of(new double[] {3}, 1);
    Tensor b = Tensor.of(new double[] {4}, 1);
    var clipped = GradientClipping.clipByGlobalNorm(Arrays.asList(a, null, b), 1.0);
    assertThat(clipped.globalNorm().item()).isCloseTo(5.0, offset(TIGHT));
    assertThat(clipped.gradients().get(0).item()).isCloseTo(0.6, offset(TIGHT));
    assertThat(clipped.gradients().get(1)).isNull();
    assertThat(clipped.gradients().get(2).item()).isCloseTo(0.8, offset(TIGHT));
  }

  @Test
  void clipByGlobalNorm_belowTheLimit_leavesGradientsUnchanged() {
    Tensor a = Tensor.of(new double[] {3, 4}, 2);
    var clipped = GradientClipping.clipByGlobalNorm(List.of(a), 10.0);
    assertClose(clipped.gradients().get(0).toDoubleArray(), new double[] {3, 4});
  }
}
