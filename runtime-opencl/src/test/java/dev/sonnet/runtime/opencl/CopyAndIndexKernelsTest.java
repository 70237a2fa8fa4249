package dev.sonnet.runtime.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import org.junit.jupiter.api.Test;

/** Strided copy, where, gather and scatter-add against plain loops, and their index errors. */
class CopyAndIndexKernelsTest {

  @Test
  void copy_transposesWithOffsets_forEveryElementWidth() {
    OpenClBackend be = OpenClFixtures.backend();
    // src [3, 4] at offset 2, read transposed into dst [4, 3] at offset 1.
    long[] src = new long[14];
    for (int i = 0; i < src.length; i++) {
      src[i] = 100 + i;
    }
    DeviceBuffer dst = be.allocate(DType.INT64, 13);
    be.copy(be.upload(src), 2, new long[] {1, 4}, dst, 1, new long[] {3, 1}, new int[] {4, 3});
    long[] got = new long[13];
    be.download(dst, got);
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 3; j++) {
        assertThat(got[1 + i * 3 + j]).isEqualTo(src[2 + j * 4 + i]);
      }
    }
    assertThat(got[0]).isZero();

    DeviceBuffer bools = be.allocate(DType.BOOL, 4);
    be.copy(
        be.upload(new boolean[] {true, false}),
        0,
        new long[] {0, 1},
        bools,
        0,
        new long[] {2, 1},
        new int[] {2, 2});
    boolean[] b = new boolean[4];
    be.download(bools, b);
    assertThat(b).containsExactly(true, false, true, false);
  }

  @Test
  void where_broadcastsTheCondition() {
    OpenClBackend be = OpenClFixtures.backend();
    DeviceBuffer cond = be.upload(new boolean[] {true, false, true});
    DeviceBuffer a = be.upload(new float[] {1, 2, 3, 4, 5, 6});
    DeviceBuffer b = be.upload(new float[] {-1});
    DeviceBuffer out = be.allocate(DType.FLOAT32, 6);
    be.where(
        cond, new long[] {0, 1}, a, new long[] {3, 1}, b, new long[] {0, 0}, out, new int[] {2, 3});
    float[] got = new float[6];
    be.download(out, got);
    assertThat(got).containsExactly(1, -1, 3, 4, -1, 6);
  }

  @Test
  void gather_selectsRows_withInt32AndInt64Indices() {
    OpenClBackend be = OpenClFixtures.backend();
    // x [2, 3, 2]; pick rows 2, 0, 2 of the middle axis.
    double[] x = new double[12];
    for (int i = 0; i < 12; i++) {
      x[i] = i;
    }
    for (DeviceBuffer idx :
        new DeviceBuffer[] {be.upload(new int[] {2, 0, 2}), be.upload(new long[] {2, 0, 2})}) {
      DeviceBuffer out = be.allocate(DType.FLOAT64, 12);
      be.gather(be.upload(x), idx, out, 2, 3, 2);
      double[] got = new double[12];
      be.download(out, got);
      assertThat(got).containsExactly(4, 5, 0, 1, 4, 5, 10, 11, 6, 7, 10, 11);
    }
  }

  @Test
  void gather_withIndexOutOfRange_throwsNamingIndexPositionAndAxis_andWritesNothing() {
    OpenClBackend be = OpenClFixtures.backend();
    DeviceBuffer out = be.allocate(DType.FLOAT32, 2);
    assertThatThrownBy(
            () ->
                be.gather(
                    be.upload(new float[] {1, 2, 3}), be.upload(new int[] {1, -1}), out, 1, 3, 1))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("gather: index -1 (at position 1 of the indices)")
        .hasMessageContaining("axis of size 3")
        .hasMessageContaining("Negative indices do not wrap");
    float[] got = new float[2];
    be.download(out, got);
    assertThat(got).containsExactly(0, 0);
  }

  @Test
  void scatterAdd_accumulatesDuplicatesInIndexOrder_intoExistingValues() {
    OpenClBackend be = OpenClFixtures.backend();
    // out [2, 3, 1] starts at 1; updates [2, 4, 1] go to rows 0, 2, 0, 0.
    DeviceBuffer out = be.upload(new double[] {1, 1, 1, 1, 1, 1});
    DeviceBuffer updates = be.upload(new double[] {1, 2, 3, 4, 10, 20, 30, 40});
    be.scatterAdd(updates, be.upload(new long[] {0, 2, 0, 0}), out, 2, 3, 1);
    double[] got = new double[6];
    be.download(out, got);
    assertThat(got).containsExactly(1 + 1 + 3 + 4, 1, 1 + 2, 1 + 10 + 30 + 40, 1, 1 + 20);

    DeviceBuffer ints = be.allocate(DType.INT32, 2);
    be.scatterAdd(be.upload(new int[] {5, 6, 7}), be.upload(new int[] {1, 1, 0}), ints, 1, 2, 1);
    int[] gi = new int[2];
    be.download(ints, gi);
    assertThat(gi).containsExactly(7, 11);
  }

  @Test
  void scatterAdd_onBool_isAnError() {
    OpenClBackend be = OpenClFixtures.backend();
    assertThatThrownBy(
            () ->
                be.scatterAdd(
                    be.upload(new boolean[] {true}),
                    be.upload(new int[] {0}),
                    be.allocate(DType.BOOL, 1),
                    1,
                    1,
                    1))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("not defined on bool");
  }
}
