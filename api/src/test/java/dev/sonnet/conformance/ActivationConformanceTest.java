package dev.sonnet.conformance;

import static dev.sonnet.conformance.OpAssertions.assertValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Softmax and log-softmax: values, stability, axes, gradients. */
class ActivationConformanceTest {

  @Test
  void softmax_valuesByHand() {
    // softmax([0, ln 2, ln 5]) = [1, 2, 5] / 8
    Tensor x = Tensor.of(new double[] {0, Math.log(2), Math.log(5)}, 1, 3);
    assertValues(x.softmax(-1), Shape.of(1, 3), 0.125, 0.25, 0.625);
    assertValues(x.logSoftmax(1), Shape.of(1, 3), Math.log(0.125), Math.log(0.25), Math.log(0.625));
  }

  @Test
  void softmax_alongFirstAxis_normalisesColumns() {
    Tensor x = Tensor.of(new double[] {0, 1, 0, 1}, 2, 2);
    double e = Math.E;
    assertValues(x.softmax(0), Shape.of(2, 2), 0.5, 0.5, 0.5, 0.5);
    assertValues(x.softmax(1), Shape.of(2, 2), 1 / (1 + e), e / (1 + e), 1 / (1 + e), e / (1 + e));
  }

  @Test
  void softmax_isStableForLargeInputs() {
    Tensor x = Tensor.of(new double[] {1000, 1000, 999, -1000}, 2, 2);
    assertValues(x.softmax(1), Shape.of(2, 2), 0.5, 0.5, 1, 0);
    Tensor f = Tensor.of(new float[] {500, 0}, 2);
    assertThat(f.softmax(0).toFloatArray()).containsExactly(1f, 0f);
    assertThat(f.logSoftmax(0).toFloatArray()[1]).isCloseTo(-500f, Offset.offset(1e-3f));
  }

  @Test
  void softmax_rowsSumToOne_onOddShapes() {
    Tensor x = GradientCheck.uniform(51, -5, 5, 3, 33);
    double[] sums = x.softmax(-1).sum(1).toDoubleArray();
    for (double s : sums) {
      assertThat(s).isCloseTo(1, Offset.offset(1e-12));
    }
    assertThat(Tensor.zeros(DType.FLOAT64, 0, 4).softmax(1).shape()).isEqualTo(Shape.of(0, 4));
  }

  @Test
  void softmax_onIntegers_orBadAxis_isAnError() {
    assertThatThrownBy(() -> Tensor.of(new int[] {1, 2}, 2).softmax(0))
        .hasMessageContaining("softmax")
        .hasMessageContaining("i32");
    assertThatThrownBy(() -> Tensor.zeros(DType.FLOAT64, 2, 2).logSoftmax(2))
        .hasMessageContaining("logSoftmax")
        .hasMessageContaining("[2, 2]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    Tensor x = GradientCheck.uniform(52, -2, 2, 3, 1, 17);
    GradientCheck.check(in -> in[0].softmax(-1), x);
    GradientCheck.check(in -> in[0].softmax(0), x);
    GradientCheck.check(in -> in[0].logSoftmax(-1), x);
    GradientCheck.check(in -> in[0].logSoftmax(1), x);
  }

  @Test
  void float32_matchesFloat64() {
    // Softmax outputs are in (0, 1); each f32 step rounds to ~6e-8 relative, a handful of steps
    // plus the 33-term sum stay well below 1e-6 absolute.
    Tensor x64 = GradientCheck.uniform(53, -4, 4, 4, 33);
    double[] ref = x64.softmax(1).toDoubleArray();
    double[] got = x64.cast(DType.FLOAT32).softmax(1).toDoubleArray();
    for (int i = 0; i < ref.length; i++) {
      assertThat(got[i]).isCloseTo(ref[i], Offset.offset(1e-6));
    }
  }
}
