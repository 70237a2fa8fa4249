package dev.sonnet.conformance;

import static dev.sonnet.conformance.OpAssertions.assertValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.ops.Reductions;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Reductions over axes: values, keepDims, axis handling, empty inputs, gradients. */
class ReductionConformanceTest {
  /** [[1, 2, 3], [4, 5, 6]]. */
  private static Tensor m23() {
    return Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
  }

  @Test
  void sum_overAllAndEachAxis() {
    Tensor x = m23();
    assertValues(x.sum(), Shape.SCALAR, 21);
    assertValues(x.sum(0), Shape.of(3), 5, 7, 9);
    assertValues(x.sum(1), Shape.of(2), 6, 15);
    assertValues(x.sum(-1), Shape.of(2), 6, 15);
    assertValues(x.sum(true, 1), Shape.of(2, 1), 6, 15);
    assertValues(x.sum(true), Shape.of(1, 1), 21);
    assertValues(x.sum(1, 0), Shape.SCALAR, 21);
  }

  @Test
  void sum_overMiddleAndOuterAxesOfRank3() {
    // x[i][j][k] = 100 i + 10 j + k, shape [2, 3, 4]
    double[] v = new double[24];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          v[i * 12 + j * 4 + k] = 100 * i + 10 * j + k;
        }
      }
    }
    Tensor x = Tensor.of(v, 2, 3, 4);
    // over j: 3 * (100 i + k) + 30
    assertValues(x.sum(1), Shape.of(2, 4), 30, 33, 36, 39, 330, 333, 336, 339);
    // over i and k: sum_i sum_k = 4 * 100 + 2 * 4 * 10 j + 2 * 6 = 412 + 80 j
    assertValues(x.sum(0, 2), Shape.of(3), 412, 492, 572);
    assertValues(x.sum(true, 0, 2), Shape.of(1, 3, 1), 412, 492, 572);
  }

  @Test
  void integerSum_keepsDtype() {
    Tensor x = Tensor.of(new int[] {1, 2, 3, 4}, 2, 2);
    assertThat(x.sum(0).dtype()).isEqualTo(DType.INT32);
    assertThat(x.sum(0).toIntArray()).containsExactly(4, 6);
    assertThat(x.max(1).toIntArray()).containsExactly(2, 4);
  }

  @Test
  void meanMaxMinProd_values() {
    Tensor x = Tensor.of(new double[] {3, -1, 2, 0.5, 7, -4}, 2, 3);
    assertValues(x.mean(), Shape.SCALAR, 7.5 / 6);
    assertValues(x.mean(1), Shape.of(2), 4.0 / 3, 3.5 / 3);
    assertValues(x.max(1), Shape.of(2), 3, 7);
    assertValues(x.max(0), Shape.of(3), 3, 7, 2);
    assertValues(x.min(true, 1), Shape.of(2, 1), -1, -4);
    assertValues(x.min(), Shape.SCALAR, -4);
    assertValues(Reductions.prod(x, false, 1), Shape.of(2), -6, -14);
  }

  @Test
  void variance_isPopulationVariance() {
    Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 2, 2, 2, 2}, 2, 4);
    // row 0: mean 2.5, squared deviations 2.25 + .25 + .25 + 2.25 = 5 -> 1.25; row 1: 0
    assertValues(x.variance(1), Shape.of(2), 1.25, 0);
    assertValues(x.variance(true, -1), Shape.of(2, 1), 1.25, 0);
    // all 8: mean 2.25, sum of squares 30 -> 30 / 8 - 2.25^2 = 0.6875
    assertValues(x.variance(), Shape.SCALAR, 0.6875);
  }

  @Test
  void logsumexp_isStableForLargeAndInfiniteInputs() {
    Tensor x = Tensor.of(new double[] {1000, 1000, -1000, 0}, 2, 2);
    assertValues(x.logsumexp(1), Shape.of(2), 1000 + Math.log(2), 0);
    Tensor small = Tensor.of(new double[] {0, Math.log(3)}, 2);
    assertValues(small.logsumexp(), Shape.SCALAR, Math.log(4));
    Tensor neg = Tensor.of(new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, 2);
    assertThat(neg.logsumexp().item()).isEqualTo(Double.NEGATIVE_INFINITY);
    Tensor f32 = Tensor.of(new float[] {100, 100}, 2);
    assertThat(f32.logsumexp().item()).isCloseTo(100 + Math.log(2), Offset.offset(1e-4));
  }

  @Test
  void argmaxArgmin_returnInt64_firstOnTies() {
    Tensor x = Tensor.of(new double[] {1, 5, 5, 0, -2, 3, -2, 3}, 2, 4);
    Tensor am = x.argmax(1);
    assertThat(am.dtype()).isEqualTo(DType.INT64);
    assertThat(am.shape()).isEqualTo(Shape.of(2));
    assertThat(am.toLongArray()).containsExactly(1, 1);
    assertThat(x.argmin(-1).toLongArray()).containsExactly(3, 0);
    assertThat(x.argmax(0).toLongArray()).containsExactly(0, 0, 0, 1);
  }

  @Test
  void scalar_reducesToItself() {
    Tensor s = Tensor.scalar(4.0);
    assertThat(s.sum().item()).isEqualTo(4.0);
    assertThat(s.mean().item()).isEqualTo(4.0);
    assertThat(s.max().item()).isEqualTo(4.0);
  }

  @Test
  void axisErrors_nameOpShapeAndAxis() {
    Tensor x = m23();
    assertThatThrownBy(() -> x.sum(2))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("sum")
        .hasMessageContaining("axis 2")
        .hasMessageContaining("[2, 3]");
    assertThatThrownBy(() -> x.max(1, -1))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("max")
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> x.argmax(-3)).hasMessageContaining("argmax");
    assertThatThrownBy(() -> Tensor.of(new int[] {1}, 1).mean())
        .hasMessageContaining("mean")
        .hasMessageContaining("i32");
  }

  @Test
  void emptyInputs_sumIsZero_meanIsNaN_maxIsAnError() {
    Tensor e = Tensor.zeros(DType.FLOAT64, 0, 3);
    assertValues(e.sum(0), Shape.of(3), 0, 0, 0);
    assertThat(e.sum(1).shape()).isEqualTo(Shape.of(0));
    assertThat(e.max(1).shape()).isEqualTo(Shape.of(0));
    assertValues(Reductions.prod(e, false, 0), Shape.of(3), 1, 1, 1);
    assertThat(e.mean().item()).isNaN();
    assertThat(e.logsumexp(0).toDoubleArray()).containsOnly(Double.NEGATIVE_INFINITY).hasSize(3);
    assertThatThrownBy(() -> e.max(0))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("max")
        .hasMessageContaining("empty")
        .hasMessageContaining("[0, 3]");
  }

  @Test
  void gradients_sumAndMean_overAxesWithAndWithoutKeepDims() {
    Tensor x = GradientCheck.uniform(41, -1, 1, 3, 5, 7);
    GradientCheck.check(in -> in[0].sum(), x);
    GradientCheck.check(in -> in[0].sum(0, 2), x);
    GradientCheck.check(in -> in[0].sum(true, 1), x);
    GradientCheck.check(in -> in[0].mean(-1), x);
    GradientCheck.check(in -> in[0].mean(true, 0, 1), x);
    GradientCheck.check(in -> in[0].sum(1), GradientCheck.uniform(42, -1, 1, 1, 33));
  }

  @Test
  void gradients_maxAndMin_goToExtremeElement() {
    // Uniform random doubles: ties have probability ~0, so the max is a smooth selection.
    Tensor x = GradientCheck.uniform(43, -1, 1, 4, 17);
    GradientCheck.check(in -> in[0].max(1), x);
    GradientCheck.check(in -> in[0].min(true, 0), x);
    GradientCheck.check(in -> in[0].max(), x);
  }

  @Test
  void gradient_ofMaxWithTies_isSharedEqually() {
    Tensor x = Tensor.of(new double[] {1, 3, 3, 2}, 4);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      assertThat(tape.gradient(x.max(), x).toDoubleArray()).containsExactly(0, 0.5, 0.5, 0);
    }
  }

  @Test
  void gradients_varianceLogsumexpProd() {
    Tensor x = GradientCheck.uniform(44, -2, 2, 3, 17);
    GradientCheck.check(in -> in[0].variance(1), x);
    GradientCheck.check(in -> in[0].variance(true, 0), x);
    GradientCheck.check(in -> in[0].logsumexp(1), x);
    GradientCheck.check(in -> in[0].logsumexp(true, 0, 1), x);
    GradientCheck.check(
        in -> Reductions.prod(in[0], false, 0), GradientCheck.uniform(45, 0.5, 1.5, 3, 5));
  }

  @Test
  void float32Reductions_matchFloat64() {
    // Sums of n = 33 terms of magnitude <= 3 in f32: worst-case accumulated rounding is about
    // n * 2^-24 * sum|x| ~ 33 * 6e-8 * 100 = 2e-4 absolute; typical error is far smaller.
    Tensor x64 = GradientCheck.uniform(46, -3, 3, 5, 33);
    Tensor x32 = x64.cast(DType.FLOAT32);
    double[][] pairs = {
      x64.sum(1).toDoubleArray(), x32.sum(1).toDoubleArray(),
      x64.logsumexp(1).toDoubleArray(), x32.logsumexp(1).toDoubleArray(),
      x64.variance(1).toDoubleArray(), x32.variance(1).toDoubleArray(),
      x64.max(0).toDoubleArray(), x32.max(0).toDoubleArray()
    };
    for (int p = 0; p < pairs.length; p += 2) {
      for (int i = 0; i < pairs[p].length; i++) {
        assertThat(pairs[p + 1][i])
            .as("pair %d element %d", p / 2, i)
            .isCloseTo(pairs[p][i], Offset.offset(2e-4));
      }
    }
  }
}
