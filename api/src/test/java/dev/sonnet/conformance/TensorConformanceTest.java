package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Creating tensors, reading them back and printing them, on the backend under test. */
class TensorConformanceTest {

  @Test
  void of_roundTripsEveryDtype() {
    assertThat(Tensor.of(new float[] {1.5f, -2}, 2).toFloatArray()).containsExactly(1.5f, -2f);
    assertThat(Tensor.of(new double[] {1e-300, 3}, 2).toDoubleArray()).containsExactly(1e-300, 3);
    assertThat(Tensor.of(new int[] {Integer.MIN_VALUE, 7}, 2).toIntArray())
        .containsExactly(Integer.MIN_VALUE, 7);
    assertThat(Tensor.of(new long[] {Long.MAX_VALUE}, 1).toLongArray())
        .containsExactly(Long.MAX_VALUE);
    assertThat(Tensor.of(new boolean[] {true, false}, 2).toBooleanArray())
        .containsExactly(true, false);
  }

  @Test
  void of_withoutShape_isRankOne_andScalarIsRankZero() {
    assertThat(Tensor.of(new float[] {1, 2, 3}).shape()).isEqualTo(Shape.of(3));
    Tensor s = Tensor.scalar(2.5);
    assertThat(s.shape()).isEqualTo(Shape.SCALAR);
    assertThat(s.dtype()).isEqualTo(DType.FLOAT64);
    assertThat(s.item()).isEqualTo(2.5);
  }

  @Test
  void of_withWrongLength_namesBothCounts() {
    assertThatThrownBy(() -> Tensor.of(new float[5], 2, 3))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("5 elements")
        .hasMessageContaining("[2, 3]");
  }

  @Test
  void zerosOnesFull_fillEveryElement() {
    assertThat(Tensor.zeros(DType.INT32, 2, 2).toIntArray()).containsOnly(0);
    assertThat(Tensor.ones(DType.FLOAT32, 3).toFloatArray()).containsExactly(1, 1, 1);
    assertThat(Tensor.full(DType.INT64, 7, 2).toLongArray()).containsExactly(7, 7);
    assertThat(Tensor.full(DType.BOOL, 1, 2).toBooleanArray()).containsExactly(true, true);
    assertThat(Tensor.zeros(DType.FLOAT32, 0, 3).size()).isZero();
  }

  @Test
  void arange_matchesNumpy() {
    assertThat(Tensor.arange(4).toLongArray()).containsExactly(0, 1, 2, 3);
    assertThat(Tensor.arange(DType.FLOAT64, 1, 2, 0.25).toDoubleArray())
        .containsExactly(1, 1.25, 1.5, 1.75);
    assertThat(Tensor.arange(DType.INT32, 3, 0, -1).toIntArray()).containsExactly(3, 2, 1);
    assertThat(Tensor.arange(DType.FLOAT32, 0, 0, 1).size()).isZero();
  }

  @Test
  void random_isReproducibleForASeed_andRespectsBounds() {
    Tensor a = Tensor.randomUniform(new Rng(9), DType.FLOAT32, Shape.of(100), -1, 1);
    Tensor b = Tensor.randomUniform(new Rng(9), DType.FLOAT32, Shape.of(100), -1, 1);
    assertThat(a.toFloatArray()).containsExactly(b.toFloatArray());
    for (float v : a.toFloatArray()) {
      assertThat(v).isBetween(-1f, 1f);
    }
    for (double v :
        Tensor.truncatedNormal(new Rng(1), DType.FLOAT64, Shape.of(1000), 5, 2).toDoubleArray()) {
      assertThat(v).isBetween(1.0, 9.0);
    }
  }

  @Test
  void toString_showsDtypeShapeAndAbbreviatedValues() {
    assertThat(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).toString())
        .isEqualTo("Tensor(f32[2, 3], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])");
    assertThat(Tensor.arange(10).toString()).isEqualTo("Tensor(i64[10], [0, 1, 2, ..., 7, 8, 9])");
    assertThat(Tensor.scalar(true).toString()).isEqualTo("Tensor(bool[], true)");
  }

  @Test
  void releasedTensor_failsClearlyOnUse() {
    Tensor t = Tensor.ones(DType.FLOAT32, 2);
    t.release();
    assertThat(t.toString()).contains("released");
    assertThatThrownBy(t::toFloatArray)
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("released");
  }

  @Test
  void readBack_convertsBetweenDtypes() {
    Tensor t = Tensor.of(new double[] {1.9, -1.9, 0}, 3);
    assertThat(t.toIntArray()).containsExactly(1, -1, 0);
    assertThat(t.toBooleanArray()).containsExactly(true, true, false);
    assertThat(t.toFloatArray()).containsExactly(1.9f, -1.9f, 0f);
  }
}
