package dev.sonnet.runtime.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.DType;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Reductions against plain loops, through both kernels: one work-group per output (few outputs,
 * many elements each) and one work-item per output, over leading, middle and trailing axes.
 */
class ReductionKernelsTest {

  @Test
  void sumOfEverything_usesWorkGroups_andMatchesALoop() {
    OpenClBackend be = OpenClFixtures.backend();
    double[] x = OpenClFixtures.doubles(11, 10_007);
    double want = 0;
    for (double v : x) {
      want += v;
    }
    double[] got = reduce(be, ReduceKind.SUM, x, new int[] {10_007}, new boolean[] {true}, 1);
    assertThat(got[0]).isCloseTo(want, Offset.offset(1e-11));
  }

  @Test
  void reduceMiddleAxis_ofThreeAxes_matchesALoop_forEveryKind() {
    OpenClBackend be = OpenClFixtures.backend();
    int a = 3;
    int b = 300;
    int c = 5;
    double[] x = OpenClFixtures.doubles(12, a * b * c);
    for (ReduceKind kind : new ReduceKind[] {ReduceKind.SUM, ReduceKind.MAX, ReduceKind.MIN}) {
      double[] got =
          reduce(be, kind, x, new int[] {a, b, c}, new boolean[] {false, true, false}, a * c);
      for (int i = 0; i < a; i++) {
        for (int k = 0; k < c; k++) {
          double acc = kind == ReduceKind.SUM ? 0 : x[i * b * c + k];
          for (int j = 0; j < b; j++) {
            double v = x[(i * b + j) * c + k];
            acc =
                switch (kind) {
                  case SUM -> acc + v;
                  case MAX -> Math.max(acc, v);
                  default -> Math.min(acc, v);
                };
          }
          assertThat(got[i * c + k])
              .as("%s at (%d, %d)", kind, i, k)
              .isCloseTo(acc, Offset.offset(1e-12));
        }
      }
    }
  }

  @Test
  void reduceLeadingAndTrailingAxes_keepsTheMiddle() {
    OpenClBackend be = OpenClFixtures.backend();
    double[] x = OpenClFixtures.doubles(13, 4 * 6 * 7);
    double[] got =
        reduce(be, ReduceKind.PROD, x, new int[] {4, 6, 7}, new boolean[] {true, false, true}, 6);
    for (int j = 0; j < 6; j++) {
      double acc = 1;
      for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 7; k++) {
          acc *= x[(i * 6 + j) * 7 + k];
        }
      }
      assertThat(got[j]).isCloseTo(acc, Offset.offset(1e-15));
    }
  }

  @Test
  void maxPropagatesNaN_andEmptySumIsZero() {
    OpenClBackend be = OpenClFixtures.backend();
    double[] withNaN = {1, Double.NaN, 3};
    assertThat(reduce(be, ReduceKind.MAX, withNaN, new int[] {3}, new boolean[] {true}, 1)[0])
        .isNaN();
    DeviceBuffer empty = be.upload(new double[0]);
    DeviceBuffer out = be.allocate(DType.FLOAT64, 2);
    be.reduce(ReduceKind.SUM, empty, new int[] {2, 0}, new boolean[] {false, true}, out);
    double[] got = new double[2];
    be.download(out, got);
    assertThat(got).containsExactly(0, 0);
    assertThatThrownBy(
            () ->
                be.reduce(
                    ReduceKind.MAX,
                    empty,
                    new int[] {2, 0},
                    new boolean[] {false, true},
                    be.allocate(DType.FLOAT64, 2)))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("empty axis");
  }

  @Test
  void integerSum_wrapsLikeJava_andBoolMaxIsAny() {
    OpenClBackend be = OpenClFixtures.backend();
    DeviceBuffer ints = be.upload(new int[] {Integer.MAX_VALUE, 1, 5});
    DeviceBuffer sum = be.allocate(DType.INT32, 1);
    be.reduce(ReduceKind.SUM, ints, new int[] {3}, new boolean[] {true}, sum);
    int[] s = new int[1];
    be.download(sum, s);
    assertThat(s[0]).isEqualTo(Integer.MAX_VALUE + 1 + 5);

    DeviceBuffer bools = be.upload(new boolean[] {false, true, false, false});
    DeviceBuffer any = be.allocate(DType.BOOL, 2);
    be.reduce(ReduceKind.MAX, bools, new int[] {2, 2}, new boolean[] {false, true}, any);
    boolean[] a = new boolean[2];
    be.download(any, a);
    assertThat(a).containsExactly(true, false);
  }

  @Test
  void argmax_returnsFirstIndexOfTies_andFirstNaN() {
    OpenClBackend be = OpenClFixtures.backend();
    double[] x = {1, 5, 5, 2, /* row 2 */ 0, Double.NaN, 9, Double.NaN};
    DeviceBuffer out = be.allocate(DType.INT64, 2);
    be.reduce(ReduceKind.ARGMAX, be.upload(x), new int[] {2, 4}, new boolean[] {false, true}, out);
    long[] got = new long[2];
    be.download(out, got);
    assertThat(got).containsExactly(1, 1);
  }

  private static double[] reduce(
      OpenClBackend be, ReduceKind kind, double[] x, int[] shape, boolean[] axes, int outSize) {
    DeviceBuffer out = be.allocate(DType.FLOAT64, outSize);
    be.reduce(kind, be.upload(x), shape, axes, out);
    double[] got = new double[outSize];
    be.download(out, got);
    return got;
  }
}
