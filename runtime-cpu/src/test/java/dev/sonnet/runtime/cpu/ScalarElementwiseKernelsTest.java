package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.bool;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static dev.sonnet.runtime.cpu.KernelFixtures.i32;
import static dev.sonnet.runtime.cpu.KernelFixtures.i64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * The scalar reference kernels for fill, unary, binary, where and cast, on hand-computed values.
 */
class ScalarElementwiseKernelsTest {

  @Test
  void fill_convertsTheValueToEachDtype() {
    DeviceBuffer f = SCALAR.allocate(DType.FLOAT32, 3);
    DeviceBuffer i = SCALAR.allocate(DType.INT32, 2);
    DeviceBuffer l = SCALAR.allocate(DType.INT64, 2);
    DeviceBuffer b = SCALAR.allocate(DType.BOOL, 2);
    SCALAR.fill(f, 1.5);
    SCALAR.fill(i, -2.7);
    SCALAR.fill(l, 3.9);
    SCALAR.fill(b, 0.5);
    assertThat(f32(f)).containsExactly(1.5f, 1.5f, 1.5f);
    assertThat(i32(i)).containsExactly(-2, -2);
    assertThat(i64(l)).containsExactly(3L, 3L);
    assertThat(bool(b)).containsExactly(true, true);
  }

  @Test
  void unary_float64_matchesTheDefiningFormulas() {
    double[] x = {-2, -0.5, 0, 0.5, 3};
    assertUnary(UnaryKind.NEG, x, new double[] {2, 0.5, -0.0, -0.5, -3});
    assertUnary(UnaryKind.ABS, x, new double[] {2, 0.5, 0, 0.5, 3});
    assertUnary(UnaryKind.SQUARE, x, new double[] {4, 0.25, 0, 0.25, 9});
    assertUnary(UnaryKind.RELU, x, new double[] {0, 0, 0, 0.5, 3});
    assertUnary(UnaryKind.SIGN, x, new double[] {-1, -1, 0, 1, 1});
    assertUnary(
        UnaryKind.EXP,
        x,
        new double[] {Math.exp(-2), Math.exp(-0.5), 1, Math.exp(0.5), Math.exp(3)});
    assertUnary(
        UnaryKind.SIGMOID,
        x,
        new double[] {
          0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546, 0.9525741268224334
        });
    assertUnary(
        UnaryKind.SOFTPLUS,
        x,
        new double[] {
          0.1269280110429725,
          0.47407698418010663,
          0.6931471805599453,
          0.9740769841801067,
          3.048587351573742
        });
    assertUnary(
        UnaryKind.TANH,
        x,
        new double[] {Math.tanh(-2), Math.tanh(-0.5), 0, Math.tanh(0.5), Math.tanh(3)});
    // GELU(x) = x * Phi(x); Phi values from mpmath.
    assertUnary(
        UnaryKind.GELU,
        x,
        new double[] {
          -2 * 0.022750131948179207,
          -0.5 * 0.3085375387259869,
          0,
          0.5 * 0.6914624612740131,
          3 * 0.9986501019683699
        });
    assertUnary(
        UnaryKind.NORMAL_CDF,
        x,
        new double[] {
          0.022750131948179207, 0.3085375387259869, 0.5, 0.6914624612740131, 0.9986501019683699
        });
  }

  @Test
  void unary_logFamily_float64() {
    double[] x = {0.25, 1, 4};
    assertUnary(UnaryKind.LOG, x, new double[] {Math.log(0.25), 0, Math.log(4)});
    assertUnary(UnaryKind.LOG1P, x, new double[] {Math.log1p(0.25), Math.log(2), Math.log(5)});
    assertUnary(UnaryKind.SQRT, x, new double[] {0.5, 1, 2});
    assertUnary(UnaryKind.RSQRT, x, new double[] {2, 1, 0.5});
    assertUnary(UnaryKind.RECIPROCAL, x, new double[] {4, 1, 0.25});
    assertUnary(UnaryKind.SIN, x, new double[] {Math.sin(0.25), Math.sin(1), Math.sin(4)});
    assertUnary(UnaryKind.COS, x, new double[] {Math.cos(0.25), Math.cos(1), Math.cos(4)});
  }

  @Test
  void unary_sigmoidAndSoftplus_doNotOverflowAtExtremes() {
    DeviceBuffer x = SCALAR.upload(new float[] {-1000f, 1000f, -100f, 100f});
    DeviceBuffer s = SCALAR.allocate(DType.FLOAT32, 4);
    SCALAR.unary(UnaryKind.SIGMOID, x, s);
    assertThat(f32(s)).containsExactly(0f, 1f, 3.7200760e-44f, 1f);
    SCALAR.unary(UnaryKind.SOFTPLUS, x, s);
    assertThat(f32(s)).containsExactly(0f, 1000f, 3.7200760e-44f, 100f);
  }

  @Test
  void unary_relu_passesNaNThrough() {
    DeviceBuffer x = SCALAR.upload(new float[] {Float.NaN, -0.0f});
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT32, 2);
    SCALAR.unary(UnaryKind.RELU, x, out);
    assertThat(f32(out)[0]).isNaN();
    assertThat(Float.floatToIntBits(f32(out)[1])).isZero();
  }

  @Test
  void unary_integers_supportNegAbsSignSquare() {
    DeviceBuffer x = SCALAR.upload(new int[] {-3, 0, 5});
    DeviceBuffer out = SCALAR.allocate(DType.INT32, 3);
    SCALAR.unary(UnaryKind.SQUARE, x, out);
    assertThat(i32(out)).containsExactly(9, 0, 25);
    SCALAR.unary(UnaryKind.SIGN, x, out);
    assertThat(i32(out)).containsExactly(-1, 0, 1);
    DeviceBuffer xl = SCALAR.upload(new long[] {-3, 7});
    DeviceBuffer ol = SCALAR.allocate(DType.INT64, 2);
    SCALAR.unary(UnaryKind.ABS, xl, ol);
    assertThat(i64(ol)).containsExactly(3L, 7L);
  }

  @Test
  void unary_logicalNot_onBool_andRejectsFloatOnlyKindsOnIntegers() {
    DeviceBuffer b = SCALAR.upload(new boolean[] {true, false});
    DeviceBuffer out = SCALAR.allocate(DType.BOOL, 2);
    SCALAR.unary(UnaryKind.LOGICAL_NOT, b, out);
    assertThat(bool(out)).containsExactly(false, true);
    DeviceBuffer i = SCALAR.upload(new int[] {1});
    assertThatThrownBy(() -> SCALAR.unary(UnaryKind.EXP, i, SCALAR.allocate(DType.INT32, 1)))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("EXP")
        .hasMessageContaining("i32");
  }

  @Test
  void binary_broadcastsARowAndAColumn() {
    // a: [2, 1] column, b: [3] row -> out [2, 3]: a[i] - b[j]
    DeviceBuffer a = SCALAR.upload(new float[] {10, 20});
    DeviceBuffer b = SCALAR.upload(new float[] {1, 2, 3});
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT32, 6);
    SCALAR.binary(
        BinaryKind.SUB, a, new long[] {1, 0}, b, new long[] {0, 1}, out, new int[] {2, 3});
    assertThat(f32(out)).containsExactly(9, 8, 7, 19, 18, 17);
  }

  @Test
  void binary_transposedOperandStrides_areHonoured() {
    // a is [2, 3] stored transposed (column-major): a[i, j] at j * 2 + i.
    DeviceBuffer a = SCALAR.upload(new double[] {1, 4, 2, 5, 3, 6});
    DeviceBuffer b = SCALAR.upload(new double[] {2});
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT64, 6);
    SCALAR.binary(
        BinaryKind.MUL, a, new long[] {1, 2}, b, new long[] {0, 0}, out, new int[] {2, 3});
    assertThat(f64(out)).containsExactly(2, 4, 6, 8, 10, 12);
  }

  @Test
  void binary_scalarShape_rankZero() {
    DeviceBuffer a = SCALAR.upload(new double[] {2});
    DeviceBuffer b = SCALAR.upload(new double[] {10});
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT64, 1);
    SCALAR.binary(BinaryKind.POW, a, new long[0], b, new long[0], out, new int[0]);
    assertThat(f64(out)).containsExactly(1024);
  }

  @Test
  void binary_maximumAndMinimum_propagateNaN() {
    DeviceBuffer a = SCALAR.upload(new float[] {Float.NaN, 1, 5});
    DeviceBuffer b = SCALAR.upload(new float[] {0, Float.NaN, 2});
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT32, 3);
    SCALAR.binary(BinaryKind.MAXIMUM, a, new long[] {1}, b, new long[] {1}, out, new int[] {3});
    assertThat(f32(out)).containsExactly(Float.NaN, Float.NaN, 5);
    SCALAR.binary(BinaryKind.MINIMUM, a, new long[] {1}, b, new long[] {1}, out, new int[] {3});
    assertThat(f32(out)).containsExactly(Float.NaN, Float.NaN, 2);
  }

  @Test
  void binary_integerDivision_truncatesTowardZero() {
    DeviceBuffer a = SCALAR.upload(new int[] {7, -7, 7, -7});
    DeviceBuffer b = SCALAR.upload(new int[] {2, 2, -2, -2});
    DeviceBuffer out = SCALAR.allocate(DType.INT32, 4);
    SCALAR.binary(BinaryKind.DIV, a, new long[] {1}, b, new long[] {1}, out, new int[] {4});
    assertThat(i32(out)).containsExactly(3, -3, -3, 3);
  }

  @Test
  void binary_integerDivisionByZero_throwsNamingTheDividend() {
    DeviceBuffer a = SCALAR.upload(new long[] {4, 9});
    DeviceBuffer b = SCALAR.upload(new long[] {2, 0});
    DeviceBuffer out = SCALAR.allocate(DType.INT64, 2);
    assertThatThrownBy(
            () ->
                SCALAR.binary(
                    BinaryKind.DIV, a, new long[] {1}, b, new long[] {1}, out, new int[] {2}))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("Integer division by zero")
        .hasMessageContaining("i64 DIV of 9 by 0");
  }

  @Test
  void binary_comparisons_areFalseForNaNExceptNotEqual() {
    DeviceBuffer a = SCALAR.upload(new double[] {1, 2, Double.NaN});
    DeviceBuffer b = SCALAR.upload(new double[] {2, 2, Double.NaN});
    DeviceBuffer out = SCALAR.allocate(DType.BOOL, 3);
    long[] s = {1};
    int[] shape = {3};
    SCALAR.binary(BinaryKind.LESS, a, s, b, s, out, shape);
    assertThat(bool(out)).containsExactly(true, false, false);
    SCALAR.binary(BinaryKind.GREATER_EQUAL, a, s, b, s, out, shape);
    assertThat(bool(out)).containsExactly(false, true, false);
    SCALAR.binary(BinaryKind.EQUAL, a, s, b, s, out, shape);
    assertThat(bool(out)).containsExactly(false, true, false);
    SCALAR.binary(BinaryKind.NOT_EQUAL, a, s, b, s, out, shape);
    assertThat(bool(out)).containsExactly(true, false, true);
  }

  @Test
  void binary_int64Comparison_isExactBeyondDoublePrecision() {
    DeviceBuffer a = SCALAR.upload(new long[] {(1L << 60) + 1});
    DeviceBuffer b = SCALAR.upload(new long[] {1L << 60});
    DeviceBuffer out = SCALAR.allocate(DType.BOOL, 1);
    SCALAR.binary(BinaryKind.GREATER, a, new long[] {1}, b, new long[] {1}, out, new int[] {1});
    assertThat(bool(out)).containsExactly(true);
  }

  @Test
  void binary_bool_supportsEqualityAndLogicalKinds() {
    DeviceBuffer a = SCALAR.upload(new boolean[] {true, true, false, false});
    DeviceBuffer b = SCALAR.upload(new boolean[] {true, false, true, false});
    DeviceBuffer out = SCALAR.allocate(DType.BOOL, 4);
    long[] s = {1};
    int[] shape = {4};
    SCALAR.binary(BinaryKind.LOGICAL_AND, a, s, b, s, out, shape);
    assertThat(bool(out)).containsExactly(true, false, false, false);
    SCALAR.binary(BinaryKind.LOGICAL_OR, a, s, b, s, out, shape);
    assertThat(bool(out)).containsExactly(true, true, true, false);
    SCALAR.binary(BinaryKind.EQUAL, a, s, b, s, out, shape);
    assertThat(bool(out)).containsExactly(true, false, false, true);
    assertThatThrownBy(
            () -> SCALAR.binary(BinaryKind.ADD, a, s, b, s, SCALAR.allocate(DType.BOOL, 4), shape))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("ADD is not defined on bool");
  }

  @Test
  void where_selectsWithBroadcastCondition() {
    DeviceBuffer c = SCALAR.upload(new boolean[] {true, false});
    DeviceBuffer a = SCALAR.upload(new int[] {1, 2, 3, 4});
    DeviceBuffer b = SCALAR.upload(new int[] {-1});
    DeviceBuffer out = SCALAR.allocate(DType.INT32, 4);
    // cond [2] broadcast over rows of [2, 2]; b scalar.
    SCALAR.where(
        c, new long[] {0, 1}, a, new long[] {2, 1}, b, new long[] {0, 0}, out, new int[] {2, 2});
    assertThat(i32(out)).containsExactly(1, -1, 3, -1);
  }

  @Test
  void cast_floatToInt_truncatesTowardZeroAndSaturates() {
    DeviceBuffer x = SCALAR.upload(new float[] {2.7f, -2.7f, Float.NaN, 1e20f, -0.5f});
    DeviceBuffer out = SCALAR.allocate(DType.INT32, 5);
    SCALAR.cast(x, out);
    assertThat(i32(out)).containsExactly(2, -2, 0, Integer.MAX_VALUE, 0);
  }

  @Test
  void cast_boolAndNumbers_roundTrip() {
    DeviceBuffer x = SCALAR.upload(new double[] {0, -3, Double.NaN});
    DeviceBuffer b = SCALAR.allocate(DType.BOOL, 3);
    SCALAR.cast(x, b);
    assertThat(bool(b)).containsExactly(false, true, true);
    DeviceBuffer l = SCALAR.allocate(DType.INT64, 3);
    SCALAR.cast(b, l);
    assertThat(i64(l)).containsExactly(0L, 1L, 1L);
    DeviceBuffer f = SCALAR.allocate(DType.FLOAT32, 3);
    SCALAR.cast(l, f);
    assertThat(f32(f)).containsExactly(0f, 1f, 1f);
  }

  @Test
  void cast_longToFloat_roundsOnce() {
    long v = (1L << 40) + (1L << 16) + 1; // halfway-plus: rounds up in one step
    DeviceBuffer x = SCALAR.upload(new long[] {v});
    DeviceBuffer f = SCALAR.allocate(DType.FLOAT32, 1);
    SCALAR.cast(x, f);
    assertThat(f32(f)[0]).isEqualTo((float) v);
  }

  private static void assertUnary(UnaryKind kind, double[] x, double[] expected) {
    DeviceBuffer in = SCALAR.upload(x);
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT64, x.length);
    SCALAR.unary(kind, in, out);
    double[] got = f64(out);
    for (int i = 0; i < x.length; i++) {
      assertThat(got[i])
          .as("%s(%s)", kind, x[i])
          .isCloseTo(expected[i], within(1e-15 * Math.max(1, Math.abs(expected[i]))));
    }
  }
}
