package dev.sonnet.conformance.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.conformance.GradientCheck;
import dev.sonnet.losses.Losses;
import dev.sonnet.losses.Reduction;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Losses against values derived by hand, at extreme logits, and their gradients. */
class LossesConformanceTest {
  private static final double TIGHT = 1e-12;

  @Test
  void softmaxCrossEntropy_isLogSumExpMinusTheLabelsLogit() {
    Tensor logits = Tensor.of(new double[] {1, 2, 3, 0, 0, 0}, 2, 3);
    Tensor labels = Tensor.of(new int[] {2, 0}, 2);
    double first = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
    double second = Math.log(3);
    Tensor perExample = Losses.softmaxCrossEntropy(logits, labels, Reduction.NONE);
    assertThat(perExample.toDoubleArray())
        .containsExactly(new double[] {first, second}, offset(TIGHT));
    assertThat(Losses.softmaxCrossEntropy(logits, labels).item())
        .isCloseTo((first + second) / 2, offset(TIGHT));
    assertThat(Losses.softmaxCrossEntropy(logits, labels, Reduction.SUM).item())
        .isCloseTo(first + second, offset(TIGHT));
  }

  @Test
  void softmaxCrossEntropy_withHugeLogits_staysFinite() {
    Tensor logits = Tensor.of(new float[] {1000, 0, -1000, 1000}, 2, 2);
    Tensor labels = Tensor.of(new int[] {1, 1}, 2);
    assertThat(Losses.softmaxCrossEntropy(logits, labels, Reduction.NONE).toFloatArray())
        .containsExactly(new float[] {1000, 0}, offset(1e-3f));
  }

  @Test
  void oneHotTargets_giveTheSameLossAsIntegerLabels() {
    Tensor logits = GradientCheck.uniform(3, -2, 2, 4, 5);
    Tensor labels = Tensor.of(new long[] {4, 0, 2, 2}, 4);
    Tensor oneHot = dev.sonnet.ops.ShapeOps.oneHot(labels, 5, DType.FLOAT64);
    assertThat(Losses.softmaxCrossEntropyOneHot(logits, oneHot).item())
        .isCloseTo(Losses.softmaxCrossEntropy(logits, labels).item(), offset(TIGHT));
  }

  @Test
  void softmaxCrossEntropy_gradientIsSoftmaxMinusOneHotOverBatch() {
    Tensor logits = Tensor.of(new double[] {1, 2, 3, 0, 0, 0}, 2, 3);
    Tensor labels = Tensor.of(new int[] {2, 0}, 2);
    Tensor grad;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(logits);
      grad = tape.gradient(Losses.softmaxCrossEntropy(logits, labels), logits);
    }
    double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    double[] expected = {
      Math.exp(1) / z / 2,
      Math.exp(2) / z / 2,
      (Math.exp(3) / z - 1) / 2,
      (1.0 / 3 - 1) / 2,
      1.0 / 3 / 2,
      1.0 / 3 / 2
    };
    assertThat(grad.toDoubleArray()).containsExactly(expected, offset(TIGHT));
  }

  @Test
  void gradients_matchFiniteDifferences() {
    Tensor labels = Tensor.of(new int[] {1, 3, 0}, 3);
    GradientCheck.check(
        in -> Losses.softmaxCrossEntropy(in[0], labels, Reduction.NONE),
        GradientCheck.uniform(11, -3, 3, 3, 4));
    GradientCheck.check(
        in -> Losses.softmaxCrossEntropyOneHot(in[0], in[1].softmax(-1)),
        GradientCheck.uniform(12, -3, 3, 3, 4),
        GradientCheck.uniform(13, -1, 1, 3, 4));
    Tensor targets = GradientCheck.uniform(14, 0, 1, 2, 5);
    GradientCheck.check(
        in -> Losses.sigmoidCrossEntropy(in[0], targets, Reduction.NONE),
        GradientCheck.uniform(15, -4, 4, 2, 5));
    GradientCheck.check(
        in -> Losses.meanSquaredError(in[0], in[1]),
        GradientCheck.uniform(16, -1, 1, 3, 2),
        GradientCheck.uniform(17, -1, 1, 3, 2));
  }

  @Test
  void sigmoidCrossEntropy_matchesTheDefinitionAndSurvivesLargeLogits() {
    Tensor logits = Tensor.of(new double[] {0, 2, -3, 100, -100}, 5);
    Tensor labels = Tensor.of(new double[] {1, 0, 0.25, 0, 0}, 5);
    double[] expected = new double[5];
    double[] x = {0, 2, -3, 100, -100};
    double[] z = {1, 0, 0.25, 0, 0};
    for (int i = 0; i < 3; i++) {
      double s = 1 / (1 + Math.exp(-x[i]));
      expected[i] = -z[i] * Math.log(s) - (1 - z[i]) * Math.log(1 - s);
    }
    expected[3] = 100; // -log(1 - sigmoid(100)) = 100 + log(1 + e^-100)
    expected[4] = Math.log1p(Math.exp(-100));
    assertThat(Losses.sigmoidCrossEntropy(logits, labels, Reduction.NONE).toDoubleArray())
        .containsExactly(expected, offset(1e-12));
  }

  @Test
  void sigmoidCrossEntropy_gradientAtZeroLogit_isSigmoidMinusLabel() {
    Tensor logits = Tensor.of(new double[] {0}, 1);
    Tensor grad;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(logits);
      grad =
          tape.gradient(Losses.sigmoidCrossEntropy(logits, Tensor.of(new double[] {1}, 1)), logits);
    }
    assertThat(grad.toDoubleArray()[0]).isCloseTo(-0.5, offset(TIGHT));
  }

  @Test
  void meanSquaredError_averagesSquaredDifferences() {
    Tensor p = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
    Tensor t = Tensor.of(new double[] {0, 2, 5, 4}, 2, 2);
    assertThat(Losses.meanSquaredError(p, t).item()).isCloseTo(5.0 / 4, offset(TIGHT));
    assertThat(Losses.meanSquaredError(p, t, Reduction.SUM).item()).isCloseTo(5, offset(TIGHT));
  }

  @Test
  void accuracy_countsArgmaxHits() {
    Tensor logits = Tensor.of(new float[] {0, 1, 5, 2, 3, 3, 9, 0, 0}, 3, 3);
    Tensor labels = Tensor.of(new int[] {1, 1, 0}, 3);
    assertThat(Losses.correctCount(logits, labels)).isEqualTo(2); // the tie goes to class 0
    assertThat(Losses.accuracy(logits, labels)).isCloseTo(2.0 / 3, offset(TIGHT));
  }

  @Test
  void wrongLabelKinds_failPointingToTheRightLoss() {
    Tensor logits = Tensor.zeros(DType.FLOAT32, 2, 3);
    assertThatThrownBy(() -> Losses.softmaxCrossEntropy(logits, Tensor.zeros(DType.FLOAT32, 2, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use softmaxCrossEntropyOneHot");
    assertThatThrownBy(() -> Losses.softmaxCrossEntropyOneHot(logits, Tensor.zeros(DType.INT32, 2)))
        .hasMessageContaining("use softmaxCrossEntropy(logits, labels)");
    assertThatThrownBy(() -> Losses.softmaxCrossEntropy(logits, Tensor.zeros(DType.INT32, 3)))
        .hasMessageContaining("without its last (class) axis");
  }
}
