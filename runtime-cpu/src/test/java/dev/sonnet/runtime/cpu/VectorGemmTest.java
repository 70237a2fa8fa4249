package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.VECTOR;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packed vector GEMM against the scalar reference for every m, n, k in {1, 3, 17, 64, 100} and
 * every transpose pair, each case with its own offsets, padded leading dimensions, batch count,
 * broadcast (stride-0) operands and accumulate flag drawn from a seeded generator.
 *
 * <p>Tolerance: the reference rounds a double sum once; the vector kernel accumulates {@code k}
 * float FMAs, each rounding with relative error {@code u = 2^-24}, so element {@code (i, j)} may be
 * off by {@code k * u * sum_p |a_ip| |b_pj|}. That sum is computed exactly by running the scalar
 * kernel on |A| and |B|; accumulating into C adds one more rounding of {@code |c|}, and each path
 * rounds its final result once (one ulp between them). For float64 the reference itself sums in
 * double, so both sides carry the {@code k * u} term with {@code u = 2^-53}.
 */
class VectorGemmTest {
  private static final int[] SIZES = {1, 3, 17, 64, 100};

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    int id = 0;
    for (int m : SIZES) {
      for (int n : SIZES) {
        for (int k : SIZES) {
          for (int t = 0; t < 4; t++) {
            cases.add(Arguments.of(m, n, k, (t & 1) != 0, (t & 2) != 0, id++));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
  @MethodSource("cases")
  void float32_matchesScalarWithinTheFmaBound(
      int m, int n, int k, boolean ta, boolean tb, int seed) {
    Problem p = Problem.random(m, n, k, ta, tb, seed);
    float[] a = toFloat(p.a);
    float[] b = toFloat(p.b);
    float[] c = toFloat(p.c);
    DeviceBuffer want = SCALAR.upload(c);
    DeviceBuffer got = VECTOR.upload(c);
    SCALAR.gemm(p.spec, SCALAR.upload(a), SCALAR.upload(b), want);
    VECTOR.gemm(p.spec, VECTOR.upload(a), VECTOR.upload(b), got);
    double[] bound = p.absBound();
    float[] w = f32(want);
    float[] g = f32(got);
    for (int i = 0; i < w.length; i++) {
      double tol =
          (k + 1) * 0x1p-24 * bound[i]
              + 0x1p-23 * Math.abs(c[i])
              + Math.ulp(w[i])
              + Float.MIN_VALUE;
      assertThat((double) g[i]).as("element %d", i).isCloseTo(w[i], within(tol));
    }
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
  @MethodSource("cases")
  void float64_matchesScalarWithinTheFmaBound(
      int m, int n, int k, boolean ta, boolean tb, int seed) {
    Problem p = Problem.random(m, n, k, ta, tb, seed + 1000);
    DeviceBuffer want = SCALAR.upload(p.c);
    DeviceBuffer got = VECTOR.upload(p.c);
    SCALAR.gemm(p.spec, SCALAR.upload(p.a), SCALAR.upload(p.b), want);
    VECTOR.gemm(p.spec, VECTOR.upload(p.a), VECTOR.upload(p.b), got);
    double[] bound = p.absBound();
    double[] w = f64(want);
    double[] g = f64(got);
    for (int i = 0; i < w.length; i++) {
      double tol =
          (2 * k + 2) * 0x1p-53 * bound[i]
              + 0x1p-52 * Math.abs(p.c[i])
              + Math.ulp(w[i])
              + Double.MIN_VALUE;
      assertThat(g[i]).as("element %d", i).isCloseTo(w[i], within(tol));
    }
  }

  @Test
  void largeProduct_splitAcrossThreadsAndBlocks_matchesScalar() {
    // Larger than one KC x NC block in both k and n, with a ragged edge everywhere.
    Problem p = Problem.random(131, 1037, 300, false, true, 7);
    DeviceBuffer want = SCALAR.upload(p.c);
    DeviceBuffer got = VECTOR.upload(p.c);
    SCALAR.gemm(p.spec, SCALAR.upload(p.a), SCALAR.upload(p.b), want);
    VECTOR.gemm(p.spec, VECTOR.upload(p.a), VECTOR.upload(p.b), got);
    double[] bound = p.absBound();
    double[] w = f64(want);
    double[] g = f64(got);
    for (int i = 0; i < w.length; i++) {
      assertThat(g[i])
          .isCloseTo(w[i], within(602 * 0x1p-53 * (bound[i] + Math.abs(p.c[i])) + Math.ulp(w[i])));
    }
  }

  /**
   * Float32 shapes past one block and above the parallel threshold: split by columns (wide C), by
   * rows (tall C), over several KC depth blocks and NC column blocks, and the direct path
   * (row-major B, few rows, shallow) with a ragged right edge, and shallow row-major A read in
   * place in full strips (packed in the ragged last one); accumulating and overwriting.
   */
  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
  @MethodSource("blockedCases")
  void float32_blockedAndSplitAcrossThreads_matchesScalar(
      int m, int n, int k, boolean ta, boolean tb, int seed) {
    float32_matchesScalarWithinTheFmaBound(m, n, k, ta, tb, seed);
  }

  static Stream<Arguments> blockedCases() {
    return Stream.of(
        Arguments.of(100, 1037, 300, false, false, 11), // wide: split by columns, 3 NC blocks
        Arguments.of(517, 45, 531, true, false, 12), // tall: split by rows, 3 KC blocks
        Arguments.of(100, 1024, 10, false, false, 13), // direct path, whole panels only
        Arguments.of(61, 77, 33, false, false, 14), // direct path with a ragged edge
        Arguments.of(130, 333, 64, false, true, 15), // packed transposed B, above DIRECT rows
        Arguments.of(257, 258, 259, true, true, 16),
        // shallow row-major A read in place (k <= DIRECT_MAX_DEPTH), B packed (m > 128):
        Arguments.of(4099, 32, 27, false, false, 17), // first conv layer's im2col product
        Arguments.of(203, 45, 27, false, false, 18), // ragged strips and panels
        Arguments.of(150, 50, 64, false, true, 19), // deepest shallow A, transposed B
        Arguments.of(131, 33, 65, false, false, 20)); // just past it: A packed again
  }

  @Test
  void zeroDepth_clearsC_unlessAccumulating() {
    GemmSpec s = GemmSpec.dense(1, 2, 3, 0, 0, 0);
    DeviceBuffer c = VECTOR.upload(new float[] {1, 2, 3, 4, 5, 6});
    VECTOR.gemm(s, VECTOR.upload(new float[0]), VECTOR.upload(new float[0]), c);
    assertThat(f32(c)).containsOnly(0f);
  }

  /** A random problem: operands with offsets, padded leading dims and maybe stride-0 batches. */
  private record Problem(GemmSpec spec, double[] a, double[] b, double[] c) {
    static Problem random(int m, int n, int k, boolean ta, boolean tb, long seed) {
      Random r = new Random(seed);
      int batch = 1 + r.nextInt(3);
      int aRows = ta ? k : m;
      int aCols = ta ? m : k;
      int bRows = tb ? n : k;
      int bCols = tb ? k : n;
      int lda = aCols + r.nextInt(3);
      int ldb = bCols + r.nextInt(3);
      int ldc = n + r.nextInt(3);
      long aOff = r.nextInt(4);
      long bOff = r.nextInt(4);
      long cOff = r.nextInt(4);
      long aStride = r.nextInt(4) == 0 ? 0 : (long) aRows * lda + r.nextInt(3);
      long bStride = r.nextInt(4) == 0 ? 0 : (long) bRows * ldb + r.nextInt(3);
      long cStride = (long) m * ldc + r.nextInt(3);
      boolean accumulate = r.nextBoolean();
      GemmSpec spec =
          new GemmSpec(
              batch,
              m,
              n,
              k,
              ta,
              aOff,
              lda,
              aStride,
              tb,
              bOff,
              ldb,
              bStride,
              cOff,
              ldc,
              cStride,
              accumulate);
      double[] a = random(r, (int) (aOff + (batch - 1) * aStride + (long) aRows * lda));
      double[] b = random(r, (int) (bOff + (batch - 1) * bStride + (long) bRows * ldb));
      double[] c = random(r, (int) (cOff + (batch - 1) * cStride + (long) m * ldc));
      return new Problem(spec, a, b, c);
    }

    /** {@code sum_p |a_ip| |b_pj|} at every C position (0 where C is not written). */
    double[] absBound() {
      double[] absA = abs(a);
      double[] absB = abs(b);
      GemmSpec s =
          new GemmSpec(
              spec.batch(),
              spec.m(),
              spec.n(),
              spec.k(),
              spec.transA(),
              spec.aOffset(),
              spec.lda(),
              spec.aBatchStride(),
              spec.transB(),
              spec.bOffset(),
              spec.ldb(),
              spec.bBatchStride(),
              spec.cOffset(),
              spec.ldc(),
              spec.cBatchStride(),
              false);
      DeviceBuffer out = SCALAR.allocate(dev.sonnet.tensor.DType.FLOAT64, c.length);
      SCALAR.gemm(s, SCALAR.upload(absA), SCALAR.upload(absB), out);
      return f64(out);
    }

    private static double[] random(Random r, int n) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = r.nextDouble() * 2 - 1;
      }
      return v;
    }

    private static double[] abs(double[] x) {
      double[] v = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        v[i] = Math.abs(x[i]);
      }
      return v;
    }
  }

  private static float[] toFloat(double[] x) {
    float[] v = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      v[i] = (float) x[i];
    }
    return v;
  }
}
