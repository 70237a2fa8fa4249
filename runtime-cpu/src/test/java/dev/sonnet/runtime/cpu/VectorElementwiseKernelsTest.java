package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.ODD_SIZES;
import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.VECTOR;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static dev.sonnet.runtime.cpu.KernelFixtures.randomF32;
import static dev.sonnet.runtime.cpu.KernelFixtures.randomF64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector elementwise kernels against the scalar reference, on sizes that exercise empty
 * buffers, vector tails and parallel splits.
 *
 * <p>Tolerances: binary arithmetic performs the same single IEEE operation per lane, so it must
 * match bit for bit. Unary float32 transcendentals run in float lanes through the JDK's vector math
 * (within about 1 ulp), while the scalar reference rounds a double result (within 0.5 ulp);
 * composite kinds (SIGMOID, SOFTPLUS, RSQRT) add up to three more float roundings. So float32 may
 * differ by {@value #F32_ULPS} ulps of the result; float64 by the same count of double ulps.
 */
class VectorElementwiseKernelsTest {
  private static final int F32_ULPS = 6;

  @Test
  void vectorBackend_isVectorizedWhenTheModuleIsPresent() {
    assertThat(VectorInfo.available()).isTrue();
    assertThat(VECTOR.vectorized()).isTrue();
    assertThat(VECTOR.deviceName()).contains("Vector API").contains("float lanes");
    assertThat(SCALAR.vectorized()).isFalse();
  }

  static Stream<Arguments> unaryCases() {
    List<Arguments> cases = new ArrayList<>();
    for (UnaryKind kind : UnaryKind.values()) {
      if (kind == UnaryKind.LOGICAL_NOT) {
        continue;
      }
      for (int n : ODD_SIZES) {
        cases.add(Arguments.of(kind, n));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("unaryCases")
  void unary_float32_matchesScalarWithinUlps(UnaryKind kind, int n) {
    float[] x = randomF32(n, n * 31L + kind.ordinal(), lo(kind), 8);
    float[] want = f32(unary(SCALAR, kind, SCALAR.upload(x), DType.FLOAT32, n));
    float[] got = f32(unary(VECTOR, kind, VECTOR.upload(x), DType.FLOAT32, n));
    for (int i = 0; i < n; i++) {
      float tol = F32_ULPS * Math.ulp(Math.max(Math.abs(want[i]), Float.MIN_NORMAL));
      assertThat(got[i])
          .as("%s(%s) at %d of %d", kind, x[i], i, n)
          .isCloseTo(want[i], org.assertj.core.api.Assertions.within(tol));
    }
  }

  @ParameterizedTest
  @MethodSource("unaryCases")
  void unary_float64_matchesScalarWithinUlps(UnaryKind kind, int n) {
    double[] x = randomF64(n, n * 17L + kind.ordinal(), lo(kind), 8);
    double[] want = f64(unary(SCALAR, kind, SCALAR.upload(x), DType.FLOAT64, n));
    double[] got = f64(unary(VECTOR, kind, VECTOR.upload(x), DType.FLOAT64, n));
    for (int i = 0; i < n; i++) {
      double tol = F32_ULPS * Math.ulp(Math.max(Math.abs(want[i]), Double.MIN_NORMAL));
      assertThat(got[i])
          .as("%s(%s) at %d of %d", kind, x[i], i, n)
          .isCloseTo(want[i], org.assertj.core.api.Assertions.within(tol));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = UnaryKind.class,
      names = {"RELU", "NEG", "ABS", "SIGMOID", "SOFTPLUS", "EXP", "TANH", "SQUARE"})
  void unary_specialValues_agreeWithScalar(UnaryKind kind) {
    float[] specials = {
      Float.NaN, -0.0f, 0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -100f, 100f, 1e-30f
    };
    float[] x = new float[64]; // long enough that every value goes through the vector body
    for (int i = 0; i < x.length; i++) {
      x[i] = specials[i % specials.length];
    }
    float[] want = f32(unary(SCALAR, kind, SCALAR.upload(x), DType.FLOAT32, x.length));
    float[] got = f32(unary(VECTOR, kind, VECTOR.upload(x), DType.FLOAT32, x.length));
    for (int i = 0; i < x.length; i++) {
      if (Float.isNaN(want[i])) {
        assertThat(got[i]).as("%s(%s)", kind, x[i]).isNaN();
      } else if (Float.isInfinite(want[i]) || want[i] == 0) {
        assertThat(got[i]).as("%s(%s)", kind, x[i]).isEqualTo(want[i]);
      } else {
        assertThat(got[i])
            .as("%s(%s)", kind, x[i])
            .isCloseTo(
                want[i], org.assertj.core.api.Assertions.within(F32_ULPS * Math.ulp(want[i])));
      }
    }
  }

  /** Operand layouts: same shape, scalar either side, row broadcast, and a column broadcast. */
  enum Layout {
    SAME,
    SCALAR_A,
    SCALAR_B,
    ROW_B,
    COLUMN_A,
    TRANSPOSED_A
  }

  static Stream<Arguments> binaryCases() {
    List<Arguments> cases = new ArrayList<>();
    BinaryKind[] kinds = {
      BinaryKind.ADD,
      BinaryKind.SUB,
      BinaryKind.MUL,
      BinaryKind.DIV,
      BinaryKind.MAXIMUM,
      BinaryKind.MINIMUM,
      BinaryKind.POW,
      BinaryKind.LESS
    };
    for (BinaryKind kind : kinds) {
      for (Layout layout : Layout.values()) {
        for (int n : ODD_SIZES) {
          cases.add(Arguments.of(kind, layout, n));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("binaryCases")
  void binary_float32_matchesScalarBitForBit(BinaryKind kind, Layout layout, int n) {
    // Shape [3, n]; operands sized for their layout.
    int[] shape = {3, n};
    long[][] strides = strides(layout, n);
    float[] a = randomF32(Math.max(1, sizeFor(strides[0], shape)), n + 1L, 0.5, 4);
    float[] b = randomF32(Math.max(1, sizeFor(strides[1], shape)), n + 2L, 0.5, 4);
    if (a.length > 2) {
      a[1] = Float.NaN;
    }
    DType outType = kind.returnsBool() ? DType.BOOL : DType.FLOAT32;
    DeviceBuffer want = SCALAR.allocate(outType, 3L * n);
    DeviceBuffer got = VECTOR.allocate(outType, 3L * n);
    SCALAR.binary(kind, SCALAR.upload(a), strides[0], SCALAR.upload(b), strides[1], want, shape);
    VECTOR.binary(kind, VECTOR.upload(a), strides[0], VECTOR.upload(b), strides[1], got, shape);
    if (outType == DType.BOOL) {
      assertThat(KernelFixtures.bool(got)).containsExactly(KernelFixtures.bool(want));
    } else {
      assertThat(f32(got)).containsExactly(f32(want));
    }
  }

  @ParameterizedTest
  @MethodSource("binaryCases")
  void binary_float64_matchesScalarBitForBit(BinaryKind kind, Layout layout, int n) {
    int[] shape = {3, n};
    long[][] strides = strides(layout, n);
    double[] a = randomF64(Math.max(1, sizeFor(strides[0], shape)), n + 3L, -4, 4);
    double[] b = randomF64(Math.max(1, sizeFor(strides[1], shape)), n + 4L, 0.5, 4);
    if (b.length > 5) {
      b[5] = Double.NaN;
    }
    DType outType = kind.returnsBool() ? DType.BOOL : DType.FLOAT64;
    DeviceBuffer want = SCALAR.allocate(outType, 3L * n);
    DeviceBuffer got = VECTOR.allocate(outType, 3L * n);
    SCALAR.binary(kind, SCALAR.upload(a), strides[0], SCALAR.upload(b), strides[1], want, shape);
    VECTOR.binary(kind, VECTOR.upload(a), strides[0], VECTOR.upload(b), strides[1], got, shape);
    if (outType == DType.BOOL) {
      assertThat(KernelFixtures.bool(got)).containsExactly(KernelFixtures.bool(want));
    } else {
      assertThat(f64(got)).containsExactly(f64(want));
    }
  }

  @Test
  void binary_maximumOfSignedZeros_followsMathMax() {
    float[] a = new float[32];
    float[] b = new float[32];
    java.util.Arrays.fill(a, -0.0f);
    DeviceBuffer out = VECTOR.allocate(DType.FLOAT32, 32);
    VECTOR.binary(
        BinaryKind.MAXIMUM,
        VECTOR.upload(a),
        new long[] {1},
        VECTOR.upload(b),
        new long[] {1},
        out,
        new int[] {32});
    for (float v : f32(out)) {
      assertThat(Float.floatToIntBits(v)).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void fillAndCast_agreeBetweenBackends(DType target) {
    float[] x = randomF32(4099, 5, -1e3, 1e3);
    x[7] = Float.NaN;
    DeviceBuffer want = SCALAR.allocate(target, x.length);
    DeviceBuffer got = VECTOR.allocate(target, x.length);
    SCALAR.cast(SCALAR.upload(x), want);
    VECTOR.cast(VECTOR.upload(x), got);
    DeviceBuffer want64 = SCALAR.allocate(DType.FLOAT64, x.length);
    DeviceBuffer got64 = VECTOR.allocate(DType.FLOAT64, x.length);
    SCALAR.cast(want, want64);
    VECTOR.cast(got, got64);
    assertThat(f64(got64)).containsExactly(f64(want64));
  }

  private static long[][] strides(Layout layout, int n) {
    return switch (layout) {
      case SAME -> new long[][] {{n, 1}, {n, 1}};
      case SCALAR_A -> new long[][] {{0, 0}, {n, 1}};
      case SCALAR_B -> new long[][] {{n, 1}, {0, 0}};
      case ROW_B -> new long[][] {{n, 1}, {0, 1}};
      case COLUMN_A -> new long[][] {{1, 0}, {n, 1}};
      case TRANSPOSED_A -> new long[][] {{1, 3}, {n, 1}};
    };
  }

  private static int sizeFor(long[] strides, int[] shape) {
    long max = 0;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] == 0) {
        return 0;
      }
      max += strides[d] * (shape[d] - 1);
    }
    return (int) max + 1;
  }

  private static double lo(UnaryKind kind) {
    return switch (kind) {
      case LOG, SQRT, RSQRT, LOG1P -> 0.01;
      default -> -8;
    };
  }

  private static DeviceBuffer unary(Backend be, UnaryKind kind, DeviceBuffer x, DType t, int n) {
    DeviceBuffer out = be.allocate(t, n);
    be.unary(kind, x, out);
    return out;
  }
}
