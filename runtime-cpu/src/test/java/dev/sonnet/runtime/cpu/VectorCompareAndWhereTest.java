package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.VECTOR;
import static dev.sonnet.runtime.cpu.KernelFixtures.bool;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector comparison ({@link VectorCompare}) and {@code where} ({@link VectorWhere}) kernels
 * against the scalar reference, exactly: both only compare or move values, so any difference is a
 * bug. Inputs mix random values with NaN, signed zeros, infinities and extremes, drawn from a small
 * set so that equal pairs are common; a broadcast scalar operand takes each edge value in turn.
 * Sizes cover a single element, sub-vector and exact-vector lengths, tails, and one size above the
 * parallel threshold, so chunk boundaries fall inside the vector body.
 */
class VectorCompareAndWhereTest {
  /** Element counts; the last is above the elementwise parallel grain (32,768 elements). */
  private static final int[] SIZES = {0, 1, 15, 16, 17, 100, 1023, 4099, 40_000};

  private static final BinaryKind[] COMPARISONS = {
    BinaryKind.EQUAL,
    BinaryKind.NOT_EQUAL,
    BinaryKind.LESS,
    BinaryKind.LESS_EQUAL,
    BinaryKind.GREATER,
    BinaryKind.GREATER_EQUAL
  };

  private static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT64};

  /** Values every input draws from; all are exact in float32. */
  private static final double[] SPECIALS = {
    Double.NaN,
    -0.0,
    0.0,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    1,
    -1,
    2.5,
    Float.MIN_VALUE,
    Float.MAX_VALUE
  };

  /**
   * The values a broadcast scalar operand takes in turn: the specials whose comparisons have edge
   * rules (finite values are covered by the dense side). Kept short: until the JIT compiles them,
   * Vector API calls are slow.
   */
  private static final double[] BROADCAST_SCALARS = {
    Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
  };

  /** The inner strides of the flat operand pairs: dense/dense, dense/scalar, scalar/dense. */
  private static final int[][] FLAT_PAIRS = {{1, 1}, {1, 0}, {0, 1}};

  static Stream<Arguments> compareCases() {
    List<Arguments> cases = new ArrayList<>();
    for (BinaryKind kind : COMPARISONS) {
      for (DType dtype : FLOATS) {
        for (int[] pair : FLAT_PAIRS) {
          for (int n : SIZES) {
            cases.add(Arguments.of(kind, dtype, pair[0], pair[1], n));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} strides {2}/{3} n={4}")
  @MethodSource("compareCases")
  void compare_flatOperands_matchesScalarExactly(
      BinaryKind kind, DType dtype, int as, int bs, int n) {
    for (double scalar : scalarsFor(as, bs)) {
      double[] a = operand(as, n, 11L * n + kind.ordinal(), scalar);
      double[] b = operand(bs, n, 13L * n + kind.ordinal(), scalar);
      boolean[] want = compare(SCALAR, kind, dtype, a, as, b, bs, n);
      boolean[] got = compare(VECTOR, kind, dtype, a, as, b, bs, n);
      assertThat(got).as("%s %s against scalar %s", kind, dtype, scalar).containsExactly(want);
    }
  }

  @Test
  void compare_withNaN_isFalseExceptNotEqual() {
    double[] nan = new double[40];
    Arrays.fill(nan, Double.NaN);
    double[] one = {1};
    for (DType dtype : FLOATS) {
      for (BinaryKind kind : COMPARISONS) {
        boolean expected = kind == BinaryKind.NOT_EQUAL;
        assertThat(compare(VECTOR, kind, dtype, nan, 1, one, 0, nan.length))
            .as("%s %s", kind, dtype)
            .containsOnly(expected);
        assertThat(compare(VECTOR, kind, dtype, one, 0, nan, 1, nan.length))
            .as("%s %s, NaN on the right", kind, dtype)
            .containsOnly(expected);
      }
    }
  }

  @Test
  void compare_signedZerosAreEqual() {
    double[] negZero = new double[40];
    Arrays.fill(negZero, -0.0);
    double[] zero = {0.0};
    for (DType dtype : FLOATS) {
      assertThat(compare(VECTOR, BinaryKind.EQUAL, dtype, negZero, 1, zero, 0, 40))
          .containsOnly(true);
      assertThat(compare(VECTOR, BinaryKind.GREATER, dtype, negZero, 1, zero, 0, 40))
          .containsOnly(false);
    }
  }

  static Stream<Arguments> whereCases() {
    List<Arguments> cases = new ArrayList<>();
    int[][] operandPairs = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};
    for (DType dtype : FLOATS) {
      for (int[] pair : operandPairs) {
        for (int n : SIZES) {
          cases.add(Arguments.of(dtype, pair[0], pair[1], n));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} strides {1}/{2} n={3}")
  @MethodSource("whereCases")
  void where_flatOperands_matchesScalarBitForBit(DType dtype, int as, int bs, int n) {
    boolean[] cond = randomMask(n, n + 7L);
    for (double scalar : scalarsFor(as, bs)) {
      double[] a = operand(as, n, 17L * n, scalar);
      double[] b = operand(bs, n, 19L * n, -scalar);
      long[][] strides = {{1}, {as}, {bs}};
      int[] shape = {n};
      long[] want = where(SCALAR, dtype, cond, strides[0], a, strides[1], b, strides[2], shape);
      long[] got = where(VECTOR, dtype, cond, strides[0], a, strides[1], b, strides[2], shape);
      assertThat(got).as("%s against scalar %s", dtype, scalar).containsExactly(want);
    }
  }

  /**
   * Layouts that are not one flat row: a row-broadcast operand still takes the vector loop row by
   * row; a transposed operand or a column-broadcast condition takes the scalar one.
   */
  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("stridedWhereCases")
  void where_stridedLayouts_matchScalarBitForBit(DType dtype, int n) {
    int[] shape = {3, n};
    long[][][] layouts = {
      {{n, 1}, {n, 1}, {0, 1}}, // b broadcast along rows
      {{n, 1}, {1, 3}, {0, 0}}, // a transposed
      {{1, 0}, {n, 1}, {0, 0}}, // condition broadcast along columns
    };
    for (long[][] strides : layouts) {
      boolean[] cond = randomMask(extent(strides[0], shape), n + 5L);
      double[] a = randomValues(extent(strides[1], shape), n + 6L);
      double[] b = randomValues(extent(strides[2], shape), n + 8L);
      long[] want = where(SCALAR, dtype, cond, strides[0], a, strides[1], b, strides[2], shape);
      long[] got = where(VECTOR, dtype, cond, strides[0], a, strides[1], b, strides[2], shape);
      assertThat(got).containsExactly(want);
    }
  }

  static Stream<Arguments> stridedWhereCases() {
    return Stream.of(FLOATS).flatMap(t -> Stream.of(1, 17, 1023).map(n -> Arguments.of(t, n)));
  }

  /** The ReLU-gradient shapes reach the vector loops (equal results alone would not show it). */
  @Test
  void flatFloatCases_areVectorized_othersAreNot() {
    assertThat(VectorBinary.supports(BinaryKind.GREATER, DType.FLOAT32, 1, 0)).isTrue();
    assertThat(VectorBinary.supports(BinaryKind.LESS_EQUAL, DType.FLOAT64, 0, 1)).isTrue();
    assertThat(VectorBinary.supports(BinaryKind.GREATER, DType.INT32, 1, 1)).isFalse();
    assertThat(VectorBinary.supports(BinaryKind.LOGICAL_AND, DType.BOOL, 1, 1)).isFalse();
    assertThat(VectorWhere.supports(DType.FLOAT32, 1, 1, 0)).isTrue();
    assertThat(VectorWhere.supports(DType.FLOAT64, 1, 0, 0)).isTrue();
    assertThat(VectorWhere.supports(DType.FLOAT32, 0, 1, 1)).isFalse();
    assertThat(VectorWhere.supports(DType.FLOAT32, 1, 3, 1)).isFalse();
    assertThat(VectorWhere.supports(DType.INT32, 1, 1, 1)).isFalse();
  }

  /** The number of elements an operand with these strides spans in {@code shape}. */
  private static int extent(long[] strides, int[] shape) {
    long last = 0;
    for (int d = 0; d < shape.length; d++) {
      last += strides[d] * (shape[d] - 1);
    }
    return (int) last + 1;
  }

  /** The broadcast scalar's values when an operand has stride 0; one unused value otherwise. */
  private static double[] scalarsFor(int as, int bs) {
    return (as == 0 || bs == 0) ? BROADCAST_SCALARS : new double[] {0};
  }

  /** A dense operand of {@code n} values, or the single {@code scalar} for inner stride 0. */
  private static double[] operand(int stride, int n, long seed, double scalar) {
    return stride == 0 ? new double[] {scalar} : randomValues(n, seed);
  }

  /**
   * Half specials, half uniform in [-4, 4) rounded to float32 (float32 and float64 runs then see
   * the same values): every predicate sees true, false and NaN.
   */
  private static double[] randomValues(int n, long seed) {
    Random r = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double uniform = (float) (8 * r.nextDouble() - 4);
      v[i] = r.nextBoolean() ? SPECIALS[r.nextInt(SPECIALS.length)] : uniform;
    }
    return v;
  }

  private static boolean[] randomMask(int n, long seed) {
    Random r = new Random(seed);
    boolean[] m = new boolean[n];
    for (int i = 0; i < n; i++) {
      m[i] = r.nextBoolean();
    }
    return m;
  }

  private static boolean[] compare(
      Backend be, BinaryKind kind, DType dtype, double[] a, int as, double[] b, int bs, int n) {
    DeviceBuffer out = be.allocate(DType.BOOL, n);
    be.binary(
        kind,
        upload(be, dtype, a),
        new long[] {as},
        upload(be, dtype, b),
        new long[] {bs},
        out,
        new int[] {n});
    return bool(out);
  }

  /** Runs where and returns the result's raw bits, so NaN payloads and zero signs count. */
  private static long[] where(
      Backend be,
      DType dtype,
      boolean[] cond,
      long[] condStrides,
      double[] a,
      long[] aStrides,
      double[] b,
      long[] bStrides,
      int[] shape) {
    int n = (int) StridedRows.volume(shape);
    DeviceBuffer out = be.allocate(dtype, n);
    be.where(
        be.upload(cond),
        condStrides,
        upload(be, dtype, a),
        aStrides,
        upload(be, dtype, b),
        bStrides,
        out,
        shape);
    return rawBits(out);
  }

  private static DeviceBuffer upload(Backend be, DType dtype, double[] values) {
    if (dtype == DType.FLOAT64) {
      return be.upload(values);
    }
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return be.upload(f);
  }

  private static long[] rawBits(DeviceBuffer out) {
    if (out.dtype() == DType.FLOAT64) {
      return Arrays.stream(f64(out)).mapToLong(Double::doubleToRawLongBits).toArray();
    }
    float[] f = f32(out);
    long[] bits = new long[f.length];
    for (int i = 0; i < f.length; i++) {
      bits[i] = Float.floatToRawIntBits(f[i]);
    }
    return bits;
  }
}
