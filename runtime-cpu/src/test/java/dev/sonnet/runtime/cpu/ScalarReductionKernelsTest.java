package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static dev.sonnet.runtime.cpu.KernelFixtures.i32;
import static dev.sonnet.runtime.cpu.KernelFixtures.i64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.DType;
import org.junit.jupiter.api.Test;

/** The scalar reference reductions on hand-computed values. */
class ScalarReductionKernelsTest {
  // x[2, 3, 2] = 1..12
  private static final double[] X = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  private static final int[] SHAPE = {2, 3, 2};

  @Test
  void sum_overEachSingleAxis() {
    assertThat(reduce(ReduceKind.SUM, true, false, false)).containsExactly(8, 10, 12, 14, 16, 18);
    assertThat(reduce(ReduceKind.SUM, false, true, false)).containsExactly(9, 12, 27, 30);
    assertThat(reduce(ReduceKind.SUM, false, false, true)).containsExactly(3, 7, 11, 15, 19, 23);
  }

  @Test
  void sum_overNonAdjacentAndAllAxes() {
    assertThat(reduce(ReduceKind.SUM, true, false, true)).containsExactly(18, 26, 34);
    assertThat(reduce(ReduceKind.SUM, true, true, true)).containsExactly(78);
    assertThat(reduce(ReduceKind.SUM, false, false, false)).containsExactly(X);
  }

  @Test
  void prodMaxMin_overTheMiddleAxis() {
    assertThat(reduce(ReduceKind.PROD, false, true, false)).containsExactly(15, 48, 693, 960);
    assertThat(reduce(ReduceKind.MAX, false, true, false)).containsExactly(5, 6, 11, 12);
    assertThat(reduce(ReduceKind.MIN, true, false, true)).containsExactly(1, 3, 5);
  }

  @Test
  void maxAndMin_propagateNaN() {
    DeviceBuffer x = SCALAR.upload(new float[] {1, Float.NaN, 3, 4});
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT32, 2);
    SCALAR.reduce(ReduceKind.MAX, x, new int[] {2, 2}, new boolean[] {false, true}, out);
    assertThat(f32(out)[0]).isNaN();
    assertThat(f32(out)[1]).isEqualTo(4f);
    SCALAR.reduce(ReduceKind.MIN, x, new int[] {2, 2}, new boolean[] {true, false}, out);
    assertThat(f32(out)[0]).isEqualTo(1f);
    assertThat(f32(out)[1]).isNaN();
  }

  @Test
  void float32Sum_accumulatesInDouble() {
    // 2^24 + 1 + 1 + ... : a float accumulator would stay at 2^24.
    float[] x = new float[9];
    x[0] = 1 << 24;
    java.util.Arrays.fill(x, 1, 9, 1f);
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT32, 1);
    SCALAR.reduce(ReduceKind.SUM, SCALAR.upload(x), new int[] {9}, new boolean[] {true}, out);
    assertThat(f32(out)).containsExactly((1 << 24) + 8);
  }

  @Test
  void emptyAxis_givesIdentityForSumAndProd_andThrowsForMax() {
    DeviceBuffer x = SCALAR.allocate(DType.FLOAT64, 0);
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT64, 3);
    SCALAR.reduce(ReduceKind.SUM, x, new int[] {3, 0}, new boolean[] {false, true}, out);
    assertThat(f64(out)).containsExactly(0, 0, 0);
    SCALAR.reduce(ReduceKind.PROD, x, new int[] {3, 0}, new boolean[] {false, true}, out);
    assertThat(f64(out)).containsExactly(1, 1, 1);
    assertThatThrownBy(
            () ->
                SCALAR.reduce(
                    ReduceKind.MAX, x, new int[] {3, 0}, new boolean[] {false, true}, out))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("MAX of an empty axis");
    assertThatThrownBy(
            () ->
                SCALAR.reduce(
                    ReduceKind.ARGMIN,
                    x,
                    new int[] {3, 0},
                    new boolean[] {false, true},
                    SCALAR.allocate(DType.INT64, 3)))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("ARGMIN of an empty axis");
  }

  @Test
  void integerSum_wrapsLikeJava() {
    DeviceBuffer x = SCALAR.upload(new int[] {Integer.MAX_VALUE, 1, 5});
    DeviceBuffer out = SCALAR.allocate(DType.INT32, 1);
    SCALAR.reduce(ReduceKind.SUM, x, new int[] {3}, new boolean[] {true}, out);
    assertThat(i32(out)).containsExactly(Integer.MIN_VALUE + 5);
  }

  @Test
  void argmax_returnsTheFirstIndexOnTies_alongAMiddleAxis() {
    // x[2, 3, 2]; ties in column 0 of batch 0.
    double[] x = {5, 1, 5, 9, 2, 9, 0, 0, 0, 0, -1, 7};
    DeviceBuffer out = SCALAR.allocate(DType.INT64, 4);
    SCALAR.reduce(
        ReduceKind.ARGMAX, SCALAR.upload(x), SHAPE, new boolean[] {false, true, false}, out);
    assertThat(i64(out)).containsExactly(0L, 1L, 0L, 2L);
    SCALAR.reduce(
        ReduceKind.ARGMIN, SCALAR.upload(x), SHAPE, new boolean[] {false, true, false}, out);
    assertThat(i64(out)).containsExactly(2L, 0L, 2L, 0L);
  }

  @Test
  void argmax_returnsTheFirstNaN_andInt64IsExact() {
    DeviceBuffer x = SCALAR.upload(new float[] {1, Float.NaN, 9, Float.NaN});
    DeviceBuffer out = SCALAR.allocate(DType.INT64, 1);
    SCALAR.reduce(ReduceKind.ARGMAX, x, new int[] {4}, new boolean[] {true}, out);
    assertThat(i64(out)).containsExactly(1L);
    DeviceBuffer big = SCALAR.upload(new long[] {1L << 60, (1L << 60) + 1});
    SCALAR.reduce(ReduceKind.ARGMAX, big, new int[] {2}, new boolean[] {true}, out);
    assertThat(i64(out)).containsExactly(1L);
  }

  @Test
  void argmax_overTwoAxes_isRejected() {
    assertThatThrownBy(
            () ->
                SCALAR.reduce(
                    ReduceKind.ARGMAX,
                    SCALAR.upload(X),
                    SHAPE,
                    new boolean[] {true, true, false},
                    SCALAR.allocate(DType.INT64, 2)))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("exactly one axis");
  }

  private static double[] reduce(ReduceKind kind, boolean... axes) {
    int outSize = 1;
    for (int d = 0; d < SHAPE.length; d++) {
      outSize *= axes[d] ? 1 : SHAPE[d];
    }
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT64, outSize);
    SCALAR.reduce(kind, SCALAR.upload(X), SHAPE, axes, out);
    return f64(out);
  }
}
