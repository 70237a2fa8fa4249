package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BatchNormTest {

  /** Per-channel mean and biased variance of {@code x [n, c]} (channels last, flattened). */
  private static double[][] moments(double[] x, int c) {
    int n = x.length / c;
    double[] mean = new double[c];
    double[] var = new double[c];
    for (int i = 0; i < x.length; i++) {
      mean[i % c] += x[i] / n;
    }
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - mean[i % c];
      var[i % c] += d * d / n;
    }
    return new double[][] {mean, var};
  }

  private static double[] normalize(double[] x, double[] mean, double[] var, double eps, int c) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (x[i] - mean[i % c]) / Math.sqrt(var[i % c] + eps);
    }
    return y;
  }

  @Test
  void training_usesBatchMomentsAndUpdatesDebiasedAverages() {
    var bn = new BatchNorm(false, false);
    Tensor x = ModuleChecks.uniform(1, 4, 2, 3);
    double[][] m = moments(x.toDoubleArray(), 3);
    ModuleChecks.assertClose(
        bn.call(x, true), normalize(x.toDoubleArray(), m[0], m[1], 1e-5, 3), 1e-9);
    // One debiased update gives exactly the batch moments.
    ModuleChecks.assertClose(bn.movingMean().value(), m[0], 1e-12);
    ModuleChecks.assertClose(bn.movingVariance().value(), m[1], 1e-12);
  }

  @Test
  void evaluation_usesMovingAveragesAndDoesNotUpdateThem() {
    var bn = new BatchNorm(true, true);
    Tensor a = ModuleChecks.uniform(2, 5, 3);
    Tensor b = ModuleChecks.uniform(3, 5, 3);
    bn.call(a, true);
    bn.call(b, true);
    double[] ma = moments(a.toDoubleArray(), 3)[0];
    double[] mb = moments(b.toDoubleArray(), 3)[0];
    double[] va = moments(a.toDoubleArray(), 3)[1];
    double[] vb = moments(b.toDoubleArray(), 3)[1];
    double d = BatchNorm.DEFAULT_DECAY_RATE;
    double[] em = new double[3];
    double[] ev = new double[3];
    for (int c = 0; c < 3; c++) {
      em[c] = ((1 - d) * d * ma[c] + (1 - d) * mb[c]) / (1 - d * d);
      ev[c] = ((1 - d) * d * va[c] + (1 - d) * vb[c]) / (1 - d * d);
    }
    ModuleChecks.assertClose(bn.movingMean().value(), em, 1e-9);
    Tensor x = ModuleChecks.uniform(4, 2, 3);
    ModuleChecks.assertClose(
        bn.call(x, false), normalize(x.toDoubleArray(), em, ev, 1e-5, 3), 1e-9);
    ModuleChecks.assertClose(bn.movingMean().value(), em, 1e-12);
  }

  @Test
  void testLocalStats_usesBatchMomentsWithoutUpdating() {
    var bn = new BatchNorm(true, true);
    Tensor x = ModuleChecks.uniform(5, 6, 2);
    double[][] m = moments(x.toDoubleArray(), 2);
    ModuleChecks.assertClose(
        bn.call(x, false, true), normalize(x.toDoubleArray(), m[0], m[1], 1e-5, 2), 1e-9);
    assertThat(bn.movingMean().value().toDoubleArray()).containsOnly(0.0);
  }

  @Test
  void variables_alwaysIncludeScaleAndOffset_trainableOnlyWhenCreated() {
    var bn = new BatchNorm(false, true);
    bn.call(ModuleChecks.uniform(1, 2, 3), true);
    assertThat(bn.variables()).hasSize(8);
    assertThat(bn.trainableVariables())
        .extracting(v -> v.name())
        .containsExactly("batch_norm/offset");
  }

  @Test
  void gradients_inTraining_matchFiniteDifferences() {
    var bn = new BatchNorm(true, true);
    Tensor x = ModuleChecks.uniform(6, 4, 3);
    bn.call(x, false, true);
    ModuleChecks.randomize(bn.scale(), 7);
    ModuleChecks.checkGradients(bn, t -> bn.call(t, false, true), x);
  }

  @Test
  void constructor_scaleInitWithoutCreateScale_throwsStatingTheRule() {
    assertThatThrownBy(
            () ->
                BatchNorm.builder(false, true)
                    .decayRate(0.9)
                    .scaleInit(Initializers.ones())
                    .build())
        .hasMessageContaining("when createScale is false, scaleInit must be null");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new BatchNorm(true, false).toString())
        .isEqualTo("BatchNorm(createScale=true, createOffset=false)");
  }
}
