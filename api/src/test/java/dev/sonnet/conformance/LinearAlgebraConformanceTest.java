package dev.sonnet.conformance;

import static dev.sonnet.conformance.OpAssertions.assertValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.ops.LinearAlgebra;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Matrix products with NumPy's matmul rules: values, promotion, batching, errors, gradients. */
class LinearAlgebraConformanceTest {
  /** [[1, 2, 3], [4, 5, 6]]. */
  private static final Tensor A = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);

  /** [[1, 0], [0, 1], [2, -1]]. */
  private static final Tensor B = Tensor.of(new double[] {1, 0, 0, 1, 2, -1}, 3, 2);

  @Test
  void matmul_twoByThreeTimesThreeByTwo_byHand() {
    // [1 + 6, 2 - 3; 4 + 12, 5 - 6]
    assertValues(A.matmul(B), Shape.of(2, 2), 7, -1, 16, -1);
  }

  @Test
  void transposeFlags_readOperandsTransposed() {
    Tensor at = A.transpose();
    Tensor bt = B.transpose();
    assertValues(LinearAlgebra.matmul(at, B, true, false), Shape.of(2, 2), 7, -1, 16, -1);
    assertValues(LinearAlgebra.matmul(A, bt, false, true), Shape.of(2, 2), 7, -1, 16, -1);
    assertValues(LinearAlgebra.matmul(at, bt, true, true), Shape.of(2, 2), 7, -1, 16, -1);
    // A^T A = [[17, 22, 27], [22, 29, 36], [27, 36, 45]]
    assertValues(
        LinearAlgebra.matmul(A, A, true, false),
        Shape.of(3, 3),
        17,
        22,
        27,
        22,
        29,
        36,
        27,
        36,
        45);
  }

  @Test
  void vectors_arePromotedAndTheirAxisRemoved() {
    Tensor v3 = Tensor.of(new double[] {1, 1, 2}, 3);
    Tensor v2 = Tensor.of(new double[] {1, -1}, 2);
    assertValues(A.matmul(v3), Shape.of(2), 9, 21);
    assertValues(v2.matmul(A), Shape.of(3), -3, -3, -3);
    assertValues(v3.matmul(v3), Shape.SCALAR, 6);
    assertValues(v3.matmul(B), Shape.of(2), 5, -1);
    Tensor batch = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
    assertValues(batch.matmul(v2), Shape.of(2, 2), -1, -1, -1, -1);
  }

  @Test
  void batchDims_broadcast() {
    Tensor eye = Tensor.of(new double[] {1, 0, 0, 1}, 2, 2);
    Tensor twice = eye.mul(2.0);
    Tensor stack = concat(eye, twice).reshape(2, 2, 2); // [2, 2, 2]
    // [2, 2, 2] @ [2, 3] -> [2, 2, 3]: the second operand is one matrix for every batch item.
    Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertValues(stack.matmul(m), Shape.of(2, 2, 3), 1, 2, 3, 4, 5, 6, 2, 4, 6, 8, 10, 12);
    // [3, 2] @ [2, 2, 2] -> [2, 3, 2]: the first operand is shared.
    Tensor r = Tensor.of(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
    assertValues(r.matmul(stack), Shape.of(2, 3, 2), 1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 2, 2);
    // [2, 1, 2, 2] @ [1, 3, 2, 1] -> [2, 3, 2, 1]: both broadcast, materialised.
    Tensor left = stack.reshape(2, 1, 2, 2);
    Tensor right = Tensor.of(new double[] {1, 0, 0, 1, 1, 1}, 1, 3, 2, 1);
    Tensor out = left.matmul(right);
    assertValues(out, Shape.of(2, 3, 2, 1), 1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 2, 2);
  }

  private static Tensor concat(Tensor a, Tensor b) {
    return ShapeOps.concat(0, a, b);
  }

  @Test
  void innerDimensionMismatch_namesShapesAndInnerSizes() {
    assertThatThrownBy(() -> A.matmul(A))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("matmul")
        .hasMessageContaining("[2, 3] and [2, 3]")
        .hasMessageContaining("inner dimensions 3")
        .hasMessageContaining("and 2");
    assertThatThrownBy(
            () -> Tensor.zeros(DType.FLOAT64, 2, 3, 4).matmul(Tensor.zeros(DType.FLOAT64, 3, 4, 5)))
        .hasMessageContaining("batch")
        .hasMessageContaining("[2]")
        .hasMessageContaining("[3]");
    assertThatThrownBy(() -> A.matmul(Tensor.scalar(2.0))).hasMessageContaining("scalar");
    assertThatThrownBy(() -> A.matmul(B.cast(DType.FLOAT32)))
        .hasMessageContaining("f64")
        .hasMessageContaining("f32");
    assertThatThrownBy(() -> Tensor.of(new int[] {1}, 1, 1).matmul(Tensor.of(new int[] {1}, 1, 1)))
        .hasMessageContaining("matmul")
        .hasMessageContaining("i32");
  }

  @Test
  void emptyDimensions_giveEmptyOrZeroResults() {
    Tensor k0a = Tensor.zeros(DType.FLOAT64, 2, 0);
    Tensor k0b = Tensor.zeros(DType.FLOAT64, 0, 3);
    assertValues(k0a.matmul(k0b), Shape.of(2, 3), 0, 0, 0, 0, 0, 0);
    assertThat(Tensor.zeros(DType.FLOAT64, 0, 4).matmul(Tensor.ones(DType.FLOAT64, 4, 3)).shape())
        .isEqualTo(Shape.of(0, 3));
    assertThat(
            Tensor.zeros(DType.FLOAT64, 0, 2, 4).matmul(Tensor.ones(DType.FLOAT64, 4, 3)).shape())
        .isEqualTo(Shape.of(0, 2, 3));
  }

  @Test
  void gradients_plainAndTransposed() {
    Tensor a = GradientCheck.uniform(81, -1, 1, 3, 17);
    Tensor b = GradientCheck.uniform(82, -1, 1, 17, 5);
    GradientCheck.check(in -> in[0].matmul(in[1]), a, b);
    Tensor at = GradientCheck.uniform(83, -1, 1, 17, 3);
    Tensor bt = GradientCheck.uniform(84, -1, 1, 5, 17);
    GradientCheck.check(in -> LinearAlgebra.matmul(in[0], in[1], true, false), at, b);
    GradientCheck.check(in -> LinearAlgebra.matmul(in[0], in[1], false, true), a, bt);
    GradientCheck.check(in -> LinearAlgebra.matmul(in[0], in[1], true, true), at, bt);
  }

  @Test
  void gradients_vectorsAndBatches() {
    Tensor v = GradientCheck.uniform(85, -1, 1, 4);
    Tensor m = GradientCheck.uniform(86, -1, 1, 4, 3);
    GradientCheck.check(in -> in[0].matmul(in[1]), v, m);
    GradientCheck.check(in -> in[1].transpose().matmul(in[0]), v, m);
    GradientCheck.check(in -> in[0].matmul(in[0]), v);
    // Batch broadcast against a single matrix, and both sides broadcast (materialised copies).
    Tensor batch = GradientCheck.uniform(87, -1, 1, 2, 3, 4);
    GradientCheck.check(in -> in[0].matmul(in[1]), batch, m);
    GradientCheck.check(
        in -> LinearAlgebra.matmul(in[1], in[0], true, true),
        batch,
        GradientCheck.uniform(88, -1, 1, 4, 5));
    GradientCheck.check(
        in -> in[0].matmul(in[1]),
        GradientCheck.uniform(89, -1, 1, 2, 1, 3, 4),
        GradientCheck.uniform(90, -1, 1, 3, 4, 1));
  }

  @Test
  void matmul_isTwiceDifferentiable() {
    // d/dA sum((A B) * (A B)) twice: the second-order gradient check runs the first gradient
    // (built from matmuls) through the tape again.
    Tensor b = GradientCheck.uniform(91, -1, 1, 3, 2);
    GradientCheck.check(
        in -> {
          try (GradientTape tape = GradientTape.open()) {
            tape.watch(in[0]);
            Tensor y = in[0].matmul(b).square().sum();
            return tape.gradient(y, in[0]);
          }
        },
        GradientCheck.uniform(92, -1, 1, 2, 3));
  }

  @Test
  void float32_matchesFloat64() {
    // An f32 dot product of k = 33 terms in [-1, 1): rounding error at most ~k * 2^-24 * k
    // ~ 6.5e-5 in the worst case, typically ~sqrt(k) * 6e-8 * |terms|; 1e-4 is a safe bound.
    Tensor a = GradientCheck.uniform(93, -1, 1, 5, 33);
    Tensor b = GradientCheck.uniform(94, -1, 1, 33, 17);
    double[] ref = a.matmul(b).toDoubleArray();
    double[] got = a.cast(DType.FLOAT32).matmul(b.cast(DType.FLOAT32)).toDoubleArray();
    for (int i = 0; i < ref.length; i++) {
      assertThat(got[i]).isCloseTo(ref[i], Offset.offset(1e-4));
    }
  }
}
