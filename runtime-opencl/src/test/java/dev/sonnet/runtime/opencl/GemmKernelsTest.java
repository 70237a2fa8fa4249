package dev.sonnet.runtime.opencl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmSpec;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both matrix-product kernels against a plain triple loop in double, on odd sizes that leave
 * partial tiles, with every {@link GemmSpec} field in play: transposes, offsets, leading dimensions
 * wider than the matrix, a batch stride of 0 (broadcast) and accumulation.
 */
class GemmKernelsTest {

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} accumulate={5}")
  @CsvSource({
    // Large enough for the tiled kernel (m, n >= tile and m * n >= 4096), with ragged edges.
    "70, 67, 37, false, false, false",
    "70, 67, 37, true, false, true",
    "65, 129, 5, false, true, false",
    "97, 66, 33, true, true, true",
    // Small: the one-work-item-per-output kernel.
    "1, 1, 1, false, false, false",
    "3, 5, 7, true, true, true",
    "8, 2, 0, false, false, true",
  })
  void gemm_matchesReferenceLoop_float64(
      int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
    OpenClBackend be = OpenClFixtures.backend();
    Case c = new Case(m, n, k, transA, transB, accumulate);
    double[] a = OpenClFixtures.doubles(1, c.aSize());
    double[] b = OpenClFixtures.doubles(2, c.bSize());
    double[] cInit = OpenClFixtures.doubles(3, c.cSize());
    DeviceBuffer cb = be.upload(cInit);
    be.gemm(c.spec(), be.upload(a), be.upload(b), cb);
    double[] got = new double[c.cSize()];
    be.download(cb, got);
    double[] want = c.reference(a, b, cInit);
    for (int i = 0; i < want.length; i++) {
      assertThat(got[i]).as("C element %d", i).isCloseTo(want[i], Offset.offset(1e-12 * k + 1e-15));
    }
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} accumulate={5}")
  @CsvSource({
    "70, 67, 37, false, false, false",
    "128, 64, 100, false, true, true",
    "5, 33, 17, true, false, false",
  })
  void gemm_matchesReferenceLoop_float32(
      int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
    OpenClBackend be = OpenClFixtures.backend();
    Case c = new Case(m, n, k, transA, transB, accumulate);
    float[] a = OpenClFixtures.floats(4, c.aSize());
    float[] b = OpenClFixtures.floats(5, c.bSize());
    float[] cInit = OpenClFixtures.floats(6, c.cSize());
    DeviceBuffer cb = be.upload(cInit);
    be.gemm(c.spec(), be.upload(a), be.upload(b), cb);
    float[] got = new float[c.cSize()];
    be.download(cb, got);
    double[] want = c.reference(toDouble(a), toDouble(b), toDouble(cInit));
    // |terms| < 1: float rounding of k products and sums stays below k * 2^-24 * k.
    double tol = 1e-7 * (k + 1) * Math.sqrt(k + 1) + 1e-6;
    for (int i = 0; i < want.length; i++) {
      assertThat((double) got[i]).as("C element %d", i).isCloseTo(want[i], Offset.offset(tol));
    }
  }

  @ParameterizedTest(name = "tiles {0}x{1}x{2}, {3}x{4} per work-item")
  @CsvSource({
    "64, 64, 16, 4, 4", // the GPU configuration, checked here on whatever device runs
    "16, 16, 16, 4, 4",
  })
  void tiledKernel_isCorrectForEveryTileConfiguration(
      int tsm, int tsn, int tsk, int wptm, int wptn) {
    OpenClBackend be = OpenClFixtures.backend();
    GemmKernels kernels =
        new GemmKernels(be, new GemmKernels.TileConfig(tsm, tsn, tsk, wptm, wptn));
    for (boolean trans : new boolean[] {false, true}) {
      Case c = new Case(131, 130, 41, trans, !trans, trans);
      double[] a = OpenClFixtures.doubles(7, c.aSize());
      double[] b = OpenClFixtures.doubles(8, c.bSize());
      double[] cInit = OpenClFixtures.doubles(9, c.cSize());
      DeviceBuffer cb = be.upload(cInit);
      synchronized (be) {
        kernels.gemm(
            c.spec(), (OpenClBuffer) be.upload(a), (OpenClBuffer) be.upload(b), (OpenClBuffer) cb);
      }
      double[] got = new double[c.cSize()];
      be.download(cb, got);
      double[] want = c.reference(a, b, cInit);
      for (int i = 0; i < want.length; i++) {
        assertThat(got[i])
            .as("C element %d (transA %s)", i, trans)
            .isCloseTo(want[i], Offset.offset(1e-12 * 41));
      }
    }
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  /**
   * Two batch items; A repeats (batch stride 0), B and C have their own. Every matrix sits at an
   * offset of 3 with a leading dimension 2 wider than its rows.
   */
  private record Case(int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
    static final int BATCH = 2;
    static final int OFFSET = 3;
    static final int PAD = 2;

    int lda() {
      return (transA ? m : k) + PAD;
    }

    int ldb() {
      return (transB ? k : n) + PAD;
    }

    int ldc() {
      return n + PAD;
    }

    int aRows() {
      return transA ? k : m;
    }

    int bRows() {
      return transB ? n : k;
    }

    int aSize() {
      return OFFSET + aRows() * lda();
    }

    long bStride() {
      return (long) bRows() * ldb();
    }

    int bSize() {
      return (int) (OFFSET + BATCH * bStride());
    }

    long cStride() {
      return (long) m * ldc() + 1;
    }

    int cSize() {
      return (int) (OFFSET + BATCH * cStride());
    }

    GemmSpec spec() {
      return new GemmSpec(
          BATCH,
          m,
          n,
          k,
          transA,
          OFFSET,
          lda(),
          0,
          transB,
          OFFSET,
          ldb(),
          bStride(),
          OFFSET,
          ldc(),
          cStride(),
          accumulate);
    }

    double[] reference(double[] a, double[] b, double[] c) {
      double[] out = c.clone();
      for (int item = 0; item < BATCH; item++) {
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double acc = 0;
            for (int p = 0; p < k; p++) {
              double av = a[OFFSET + (transA ? p * lda() + i : i * lda() + p)];
              int bBase = (int) (OFFSET + item * bStride());
              double bv = b[bBase + (transB ? j * ldb() + p : p * ldb() + j)];
              acc += av * bv;
            }
            int ci = (int) (OFFSET + item * cStride() + i * ldc() + j);
            out[ci] = accumulate ? c[ci] + acc : acc;
          }
        }
      }
      return out;
    }
  }
}
