package dev.sonnet.runtime.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The elementwise kernels against Java's own arithmetic, which the CPU runtime's scalar kernels
 * use: same values, NaN and signed-zero rules, integer wrapping, and the errors the CPU raises.
 */
class ElementwiseKernelsTest {
  private static final float[] SPECIAL_F32 = {
    0f,
    -0f,
    1f,
    -1f,
    0.5f,
    -2.5f,
    3e-3f,
    20f,
    -20f,
    88f,
    Float.NaN,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    1e-30f,
    7.25f
  };

  @ParameterizedTest
  @EnumSource(
      value = UnaryKind.class,
      names = {
        "NEG",
        "ABS",
        "EXP",
        "LOG",
        "LOG1P",
        "SQRT",
        "RSQRT",
        "SQUARE",
        "TANH",
        "SIGMOID",
        "RELU",
        "SOFTPLUS",
        "SIGN",
        "SIN",
        "COS",
        "RECIPROCAL"
      })
  void unaryFloat32_matchesJavaMathRoundedOnce(UnaryKind kind) {
    OpenClBackend be = OpenClFixtures.backend();
    float[] x = SPECIAL_F32;
    DeviceBuffer out = be.allocate(DType.FLOAT32, x.length);
    be.unary(kind, be.upload(x), out);
    float[] got = new float[x.length];
    be.download(out, got);
    DoubleUnaryOperator f = reference(kind);
    for (int i = 0; i < x.length; i++) {
      float want = (float) f.applyAsDouble(x[i]);
      if (Float.isNaN(want)) {
        assertThat(got[i]).as("%s(%s)", kind, x[i]).isNaN();
      } else if (want == 0f) {
        assertThat(Float.floatToIntBits(got[i]))
            .as("%s(%s) bits", kind, x[i])
            .isEqualTo(Float.floatToIntBits(want));
      } else {
        assertThat(got[i])
            .as("%s(%s)", kind, x[i])
            .isCloseTo(want, org.assertj.core.data.Offset.offset(Math.ulp(want)));
      }
    }
  }

  @Test
  void gelu_andNormalCdf_matchTabulatedValues() {
    OpenClBackend be = OpenClFixtures.backend();
    double[] x = {-3, -1, 0, 1, 2.5};
    DeviceBuffer gelu = be.allocate(DType.FLOAT64, x.length);
    DeviceBuffer cdf = be.allocate(DType.FLOAT64, x.length);
    DeviceBuffer in = be.upload(x);
    be.unary(UnaryKind.GELU, in, gelu);
    be.unary(UnaryKind.NORMAL_CDF, in, cdf);
    double[] phi = {
      0.0013498980316300946, 0.15865525393145707, 0.5, 0.8413447460685429, 0.9937903346742238
    };
    double[] g = new double[x.length];
    double[] c = new double[x.length];
    be.download(gelu, g);
    be.download(cdf, c);
    for (int i = 0; i < x.length; i++) {
      assertThat(c[i])
          .as("Phi(%s)", x[i])
          .isCloseTo(phi[i], org.assertj.core.data.Offset.offset(1e-14 * phi[i] + 1e-300));
      assertThat(g[i])
          .as("gelu(%s)", x[i])
          .isCloseTo(
              x[i] * phi[i],
              org.assertj.core.data.Offset.offset(1e-14 * Math.abs(x[i] * phi[i]) + 1e-300));
    }
  }

  @Test
  void maximumAndMinimum_propagateNaN_andOrderSignedZeros_likeMath() {
    OpenClBackend be = OpenClFixtures.backend();
    double[] a = {1, Double.NaN, -0.0, 0.0, 3};
    double[] b = {2, 1, 0.0, -0.0, Double.NaN};
    double[] max = run(be, BinaryKind.MAXIMUM, a, b);
    double[] min = run(be, BinaryKind.MINIMUM, a, b);
    for (int i = 0; i < a.length; i++) {
      assertThat(Double.doubleToLongBits(max[i]))
          .as("max %d", i)
          .isEqualTo(Double.doubleToLongBits(Math.max(a[i], b[i])));
      assertThat(Double.doubleToLongBits(min[i]))
          .as("min %d", i)
          .isEqualTo(Double.doubleToLongBits(Math.min(a[i], b[i])));
    }
  }

  @Test
  void pow_followsJavaSpecialCases() {
    OpenClBackend be = OpenClFixtures.backend();
    double[] a = {2, 1, -1, Double.NaN, 4, -8};
    double[] b = {10, Double.NaN, Double.POSITIVE_INFINITY, 0, 0.5, 1.0 / 3};
    double[] got = run(be, BinaryKind.POW, a, b);
    for (int i = 0; i < a.length; i++) {
      double want = Math.pow(a[i], b[i]);
      if (Double.isNaN(want)) {
        assertThat(got[i]).as("pow(%s, %s)", a[i], b[i]).isNaN();
      } else {
        assertThat(got[i])
            .as("pow(%s, %s)", a[i], b[i])
            .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-15 * Math.abs(want)));
      }
    }
  }

  @Test
  void integerArithmetic_wrapsLikeJava_includingMinValueDividedByMinusOne() {
    OpenClBackend be = OpenClFixtures.backend();
    int[] a = {Integer.MIN_VALUE, Integer.MAX_VALUE, -7, 7};
    int[] b = {-1, 2, 2, -2};
    assertThat(runInt(be, BinaryKind.DIV, a, b))
        .containsExactly(Integer.MIN_VALUE / -1, Integer.MAX_VALUE / 2, -7 / 2, 7 / -2);
    assertThat(runInt(be, BinaryKind.MUL, a, b))
        .containsExactly(Integer.MIN_VALUE * -1, Integer.MAX_VALUE * 2, -14, -14);
    assertThat(runInt(be, BinaryKind.ADD, a, b))
        .containsExactly(Integer.MIN_VALUE - 1, Integer.MAX_VALUE + 2, -5, 5);
  }

  @Test
  void integerDivisionByZero_throwsNamingTheDividend() {
    OpenClBackend be = OpenClFixtures.backend();
    long[] a = {5, 9, 4};
    long[] b = {1, 0, 2};
    DeviceBuffer out = be.allocate(DType.INT64, 3);
    assertThatThrownBy(
            () ->
                be.binary(
                    BinaryKind.DIV,
                    be.upload(a),
                    new long[] {1},
                    be.upload(b),
                    new long[] {1},
                    out,
                    new int[] {3}))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("Integer division by zero")
        .hasMessageContaining("DIV of 9 by 0");
  }

  @Test
  void binary_broadcastsThroughStrides_andComparesIntoBool() {
    OpenClBackend be = OpenClFixtures.backend();
    // a [2, 3, 4] transposed view walks [4, 3, 2] with strides (1, 4, 12); b is a row [4, 1, 1].
    double[] a = OpenClFixtures.doubles(7, 24);
    double[] b = {0.5, -0.25, 0.1, 0};
    int[] shape = {4, 3, 2};
    DeviceBuffer sum = be.allocate(DType.FLOAT64, 24);
    DeviceBuffer less = be.allocate(DType.BOOL, 24);
    DeviceBuffer ad = be.upload(a);
    DeviceBuffer bd = be.upload(b);
    be.binary(BinaryKind.ADD, ad, new long[] {1, 4, 12}, bd, new long[] {1, 0, 0}, sum, shape);
    be.binary(BinaryKind.LESS, ad, new long[] {1, 4, 12}, bd, new long[] {1, 0, 0}, less, shape);
    double[] s = new double[24];
    boolean[] l = new boolean[24];
    be.download(sum, s);
    be.download(less, l);
    int e = 0;
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 2; k++, e++) {
          double av = a[i + 4 * j + 12 * k];
          assertThat(s[e]).isEqualTo(av + b[i]);
          assertThat(l[e]).isEqualTo(av < b[i]);
        }
      }
    }
  }

  @Test
  void binary_onMoreThanEightUnmergeableAxes_splitsIntoLaunches() {
    OpenClBackend be = OpenClFixtures.backend();
    int rank = 10;
    int[] shape = new int[rank];
    java.util.Arrays.fill(shape, 2);
    long[] reversed = new long[rank];
    for (int d = 0; d < rank; d++) {
      reversed[d] = 1L << d; // a full transpose: no two axes merge
    }
    long[] dense = StridedLayout.denseStrides(shape);
    double[] a = OpenClFixtures.doubles(8, 1024);
    double[] b = OpenClFixtures.doubles(9, 1024);
    DeviceBuffer out = be.allocate(DType.FLOAT64, 1024);
    be.binary(BinaryKind.SUB, be.upload(a), reversed, be.upload(b), dense, out, shape);
    double[] got = new double[1024];
    be.download(out, got);
    for (int e = 0; e < 1024; e++) {
      int src = Integer.reverse(e) >>> (32 - rank);
      assertThat(got[e]).as("element %d", e).isEqualTo(a[src] - b[e]);
    }
  }

  @Test
  void cast_truncatesSaturatesAndMapsNaNToZero_likeJava() {
    OpenClBackend be = OpenClFixtures.backend();
    double[] x = {-1.7, 2.9, Double.NaN, 1e20, -1e20, -0.0};
    DeviceBuffer in = be.upload(x);
    DeviceBuffer i32 = be.allocate(DType.INT32, x.length);
    DeviceBuffer i64 = be.allocate(DType.INT64, x.length);
    DeviceBuffer bool = be.allocate(DType.BOOL, x.length);
    be.cast(in, i32);
    be.cast(in, i64);
    be.cast(in, bool);
    int[] gi = new int[x.length];
    long[] gl = new long[x.length];
    boolean[] gb = new boolean[x.length];
    be.download(i32, gi);
    be.download(i64, gl);
    be.download(bool, gb);
    for (int i = 0; i < x.length; i++) {
      assertThat(gi[i]).as("(int) %s", x[i]).isEqualTo((int) x[i]);
      assertThat(gl[i]).as("(long) %s", x[i]).isEqualTo((long) x[i]);
      assertThat(gb[i]).as("%s != 0", x[i]).isEqualTo(x[i] != 0);
    }
    long[] big = {Long.MAX_VALUE, (1L << 40) + 3, -5};
    DeviceBuffer narrowed = be.allocate(DType.INT32, 3);
    be.cast(be.upload(big), narrowed);
    int[] n = new int[3];
    be.download(narrowed, n);
    assertThat(n).containsExactly((int) big[0], (int) big[1], (int) big[2]);
  }

  @Test
  void emptyBuffers_uploadComputeAndDownloadNothing() {
    OpenClBackend be = OpenClFixtures.backend();
    DeviceBuffer x = be.upload(new float[0]);
    DeviceBuffer out = be.allocate(DType.FLOAT32, 0);
    be.unary(UnaryKind.EXP, x, out);
    be.binary(BinaryKind.ADD, x, new long[] {1}, x, new long[] {1}, out, new int[] {0});
    be.fill(out, 3);
    float[] got = new float[0];
    be.download(out, got);
    assertThat(out.size()).isZero();
  }

  @Test
  void unaryOnWrongDtype_failsLikeTheCpu() {
    OpenClBackend be = OpenClFixtures.backend();
    DeviceBuffer x = be.upload(new int[] {1});
    assertThatThrownBy(() -> be.unary(UnaryKind.EXP, x, be.allocate(DType.INT32, 1)))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("Unary EXP is not defined on i32");
  }

  private static double[] run(OpenClBackend be, BinaryKind kind, double[] a, double[] b) {
    DeviceBuffer out = be.allocate(DType.FLOAT64, a.length);
    be.binary(
        kind,
        be.upload(a),
        new long[] {1},
        be.upload(b),
        new long[] {1},
        out,
        new int[] {a.length});
    double[] got = new double[a.length];
    be.download(out, got);
    return got;
  }

  private static int[] runInt(OpenClBackend be, BinaryKind kind, int[] a, int[] b) {
    DeviceBuffer out = be.allocate(DType.INT32, a.length);
    be.binary(
        kind,
        be.upload(a),
        new long[] {1},
        be.upload(b),
        new long[] {1},
        out,
        new int[] {a.length});
    int[] got = new int[a.length];
    be.download(out, got);
    return got;
  }

  private static DoubleUnaryOperator reference(UnaryKind kind) {
    return switch (kind) {
      case NEG -> x -> -x;
      case ABS -> Math::abs;
      case EXP -> Math::exp;
      case LOG -> Math::log;
      case LOG1P -> Math::log1p;
      case SQRT -> Math::sqrt;
      case RSQRT -> x -> 1.0 / Math.sqrt(x);
      case SQUARE -> x -> (float) x * (float) x;
      case TANH -> Math::tanh;
      case SIGMOID -> x -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      case RELU -> x -> x > 0 ? x : (Double.isNaN(x) ? x : 0.0);
      case SOFTPLUS -> x -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
      case SIGN -> Math::signum;
      case SIN -> Math::sin;
      case COS -> Math::cos;
      case RECIPROCAL -> x -> 1.0f / (float) x;
      default -> throw new IllegalArgumentException(kind.toString());
    };
  }
}
