package dev.sonnet.conformance.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.losses.Losses;
import dev.sonnet.losses.Reduction;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Labels a loss or metric cannot mean anything with are errors that name the label, where it is and
 * the valid range, as in PyTorch and TensorFlow; before, a class label of 10 with 10 classes gave a
 * loss of 0 for its example and counted silently as wrong.
 */
class LabelValidationConformanceTest {
  private static final Tensor LOGITS = Tensor.zeros(DType.FLOAT32, 4, 10);

  @Test
  void softmaxCrossEntropy_rejectsTheClassCount_naming_theLabelAndTheRange() {
    Tensor labels = Tensor.of(new int[] {0, 9, 10, 3}, 4);
    assertThatThrownBy(() -> Losses.softmaxCrossEntropy(LOGITS, labels))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("softmaxCrossEntropy")
        .hasMessageContaining("label 10 of example [2]")
        .hasMessageContaining("[0, 10)")
        .hasMessageContaining("f32[4, 10]");
  }

  @Test
  void softmaxCrossEntropy_rejectsNegativeLabels_int64_andWithEveryReduction() {
    Tensor labels = Tensor.of(new long[] {-1, 0, 1, 2}, 4);
    for (Reduction r : Reduction.values()) {
      assertThatThrownBy(() -> Losses.softmaxCrossEntropy(LOGITS, labels, r))
          .hasMessageContaining("label -1 of example [0]");
    }
  }

  @Test
  void softmaxCrossEntropy_namesThePositionInMultiDimensionalBatches() {
    Tensor logits = Tensor.zeros(DType.FLOAT64, 2, 3, 5);
    Tensor labels = Tensor.of(new int[] {0, 1, 2, 3, 4, 7}, 2, 3);
    assertThatThrownBy(() -> Losses.softmaxCrossEntropy(logits, labels))
        .hasMessageContaining("label 7 of example [1, 2]");
  }

  @Test
  void softmaxCrossEntropy_acceptsTheWholeValidRange() {
    Tensor labels = Tensor.of(new int[] {0, 9, 5, 1}, 4);
    assertThat(Losses.softmaxCrossEntropy(LOGITS, labels).item())
        .isEqualTo(Math.log(10), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void accuracy_andCorrectCount_rejectOutOfRangeLabels() {
    Tensor labels = Tensor.of(new int[] {0, 1, 2, 10}, 4);
    assertThatThrownBy(() -> Losses.accuracy(LOGITS, labels))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("accuracy: label 10 of example [3]");
    Tensor negative = Tensor.of(new long[] {0, -3, 2, 1}, 4);
    assertThatThrownBy(() -> Losses.correctCount(LOGITS, negative))
        .hasMessageContaining("label -3 of example [1]");
  }

  @Test
  void sigmoidCrossEntropy_rejectsLabelsThatAreNotProbabilities_andNaN() {
    Tensor logits = Tensor.zeros(DType.FLOAT32, 2, 2);
    assertThatThrownBy(
            () -> Losses.sigmoidCrossEntropy(logits, Tensor.of(new float[] {0, 1, 2, 0.5f}, 2, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sigmoidCrossEntropy: label 2.0 at [1, 0]")
        .hasMessageContaining("[0, 1]");
    assertThatThrownBy(
            () ->
                Losses.sigmoidCrossEntropy(
                    logits, Tensor.of(new float[] {0, Float.NaN, 1, 0.5f}, 2, 2)))
        .hasMessageContaining("label NaN at [0, 1]");
    assertThat(
            Losses.sigmoidCrossEntropy(logits, Tensor.of(new float[] {0, 1, 0.25f, 0.5f}, 2, 2))
                .item())
        .isEqualTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void aLossOverAnEmptyBatch_isAnError_butPerExampleLossesAreEmpty() {
    Tensor logits = Tensor.zeros(DType.FLOAT32, 0, 10);
    Tensor labels = Tensor.zeros(DType.INT32, 0);
    assertThatThrownBy(() -> Losses.softmaxCrossEntropy(logits, labels))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("softmaxCrossEntropy: the batch is empty")
        .hasMessageContaining("Reduction.NONE");
    assertThatThrownBy(() -> Losses.softmaxCrossEntropy(logits, labels, Reduction.SUM))
        .hasMessageContaining("the batch is empty");
    assertThat(Losses.softmaxCrossEntropy(logits, labels, Reduction.NONE).shape().size()).isZero();
    assertThatThrownBy(() -> Losses.softmaxCrossEntropyOneHot(logits, logits))
        .hasMessageContaining("softmaxCrossEntropyOneHot: the batch is empty");
    Tensor none = Tensor.zeros(DType.FLOAT32, 0);
    assertThatThrownBy(() -> Losses.meanSquaredError(none, none))
        .hasMessageContaining("meanSquaredError: the batch is empty");
    assertThatThrownBy(() -> Losses.sigmoidCrossEntropy(none, none))
        .hasMessageContaining("sigmoidCrossEntropy: the batch is empty");
    assertThatThrownBy(() -> Losses.accuracy(logits, labels)).hasMessageContaining("empty batch");
  }
}
