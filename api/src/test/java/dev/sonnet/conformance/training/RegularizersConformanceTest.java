package dev.sonnet.conformance.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.conformance.GradientCheck;
import dev.sonnet.regularizers.L1;
import dev.sonnet.regularizers.L2;
import dev.sonnet.regularizers.OffDiagonalOrthogonal;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The regularizers' values by hand, their gradients, and the empty list. */
class RegularizersConformanceTest {
  private static final Tensor A = Tensor.of(new double[] {1, -2, 3, -4}, 2, 2);
  private static final Tensor B = Tensor.of(new double[] {0.5, -0.5}, 2);

  @Test
  void l1_isScaleTimesSumOfAbsoluteValues() {
    assertThat(new L1(0.5).apply(List.of(A, B)).item()).isCloseTo(0.5 * 11, offset(1e-12));
  }

  @Test
  void l2_isScaleTimesSumOfSquares_withoutOneHalf() {
    assertThat(new L2(0.5).apply(List.of(A, B)).item()).isCloseTo(0.5 * 30.5, offset(1e-12));
  }

  @Test
  void l2_gradientIsTwiceScaleTimesTheWeight() {
    Variable w = new Variable("w", A, true);
    Tensor grad;
    try (GradientTape tape = GradientTape.open()) {
      grad = tape.gradient(new L2(0.25).apply(List.of(w)), w);
    }
    assertThat(grad.toDoubleArray())
        .containsExactly(new double[] {0.5, -1, 1.5, -2}, offset(1e-12));
  }

  @Test
  void offDiagonalOrthogonal_sumsSquaredOffDiagonalGramEntries() {
    // W = [[1, 2], [3, 4]]: W^T W = [[10, 14], [14, 20]], off-diagonal squares 2 * 196
    Tensor w = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
    assertThat(new OffDiagonalOrthogonal(0.5).apply(List.of(w)).item())
        .isCloseTo(196, offset(1e-9));
    // orthogonal columns cost nothing
    Tensor q = Tensor.of(new double[] {3, 0, 0, 2}, 2, 2);
    assertThat(new OffDiagonalOrthogonal(1).apply(List.of(q)).item()).isZero();
  }

  @Test
  void offDiagonalOrthogonal_reshapesToColumnsOfTheLastAxis() {
    Tensor conv = Tensor.of(new double[] {1, 2, 3, 4}, 1, 2, 2); // the same matrix as above
    assertThat(new OffDiagonalOrthogonal(1).apply(List.of(conv)).item())
        .isCloseTo(392, offset(1e-9));
  }

  @Test
  void gradients_matchFiniteDifferences() {
    GradientCheck.check(
        in -> new OffDiagonalOrthogonal(0.1).apply(List.of(in[0])),
        GradientCheck.uniform(5, -1, 1, 3, 2));
    GradientCheck.check(
        in -> new L1(0.3).apply(List.of(in[0], in[1])),
        GradientCheck.uniform(6, 0.1, 1, 2, 2),
        GradientCheck.uniform(7, -1, -0.1, 3));
  }

  @Test
  void emptyList_isAFloat32Zero() {
    Tensor zero = new L2(1).apply(List.of());
    assertThat(zero.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(zero.item()).isZero();
  }

  @Test
  void invalidArguments_failWithTheRule() {
    assertThatThrownBy(() -> new L2(-1)).hasMessageContaining("finite scale >= 0, got -1.0");
    assertThatThrownBy(() -> new L1(1).apply(List.of(A, Tensor.zeros(DType.FLOAT32, 2))))
        .hasMessageContaining("tensor 0 is f64 and tensor 1 is f32");
    assertThat(new L2(0.01)).hasToString("L2(scale=0.01)");
  }
}
