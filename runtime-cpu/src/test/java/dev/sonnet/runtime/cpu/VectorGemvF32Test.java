package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.VECTOR;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The small-row path {@link VectorGemvF32} against the exact product and against the packed kernel,
 * for m = 1..4, odd n (below, at and past the vector length, past one column block) and k (1, a
 * multiple of the four-row step and not), every transpose pair, with offsets, padded leading
 * dimensions, batches (stride-0 operands among them) and accumulation drawn per case.
 *
 * <p><b>Tolerance.</b> Each element is a sum of {@code k} products in float, by FMA chains
 * (row-major B) or two vector sums, a lane reduction and a tail (transposed B). Whatever the order,
 * each of the at most {@code k} roundings of a partial sum errs by at most {@code u = 2^-24} times
 * a partial sum of {@code |a_ip| |b_pj|}, so against the exact product (in double from the same
 * float operands) an element is off by at most {@code k * u * sum_p |a_ip| |b_pj|}; accumulating
 * into C adds one rounding of {@code |c| + |sum|} (covered by {@code u * |c|} plus one more {@code
 * u} on the sum), and the final conversion of the reference to float one ulp. The packed kernel
 * obeys the same bound, so the two paths differ by at most twice it, which is what the comparison
 * with it allows; for row-major B and {@code k <= VectorGemmF32.KC} the two run the same arithmetic
 * and must agree bit for bit.
 */
class VectorGemvF32Test {
  private static final int[] NS = {1, 15, 16, 17, 33, 100, 1037};
  private static final int[] KS = {1, 3, 4, 5, 17, 300};

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    int id = 0;
    for (int m = 1; m <= VectorGemvF32.MAX_ROWS; m++) {
      for (int n : NS) {
        for (int k : KS) {
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
  void matchesExactProductAndPackedKernel(int m, int n, int k, boolean ta, boolean tb, int seed) {
    Problem p = Problem.random(m, n, k, ta, tb, seed);
    assertThat(VectorGemvF32.handles(p.spec, DType.FLOAT32)).isTrue();
    float[] got = p.c.clone();
    VectorGemvF32.gemm(p.spec, p.a, p.b, got, null);
    float[] packed = p.c.clone();
    VectorGemmF32.gemm(p.spec, p.a, p.b, packed);
    double[] exact = p.exact();
    double[] bound = p.absBound();
    boolean sameArithmetic = !tb && k <= VectorGemmF32.KC;
    for (int i = 0; i < got.length; i++) {
      double tol =
          (k + 1) * 0x1p-24 * bound[i]
              + 0x1p-24 * Math.abs(p.c[i])
              + Math.ulp((float) exact[i])
              + Float.MIN_VALUE;
      assertThat((double) got[i]).as("element %d vs exact", i).isCloseTo(exact[i], within(tol));
      if (sameArithmetic) {
        assertThat(got[i]).as("element %d vs packed", i).isEqualTo(packed[i]);
      } else {
        assertThat((double) got[i])
            .as("element %d vs packed", i)
            .isCloseTo(packed[i], within(2 * tol));
      }
    }
  }

  /** The fused epilogue is bit for bit the product followed by the reference epilogue pass. */
  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
  @MethodSource("epilogueCases")
  void epilogue_isTheProductThenTheReferenceEpilogue(
      int m, int n, int k, boolean ta, boolean tb, int seed) {
    Problem p = Problem.random(m, n, k, ta, tb, seed).withBatchOne();
    Random r = new Random(seed);
    float[] bias = new float[n];
    for (int j = 0; j < n; j++) bias[j] = (float) (r.nextDouble() * 2 - 1);
    float[] mask = new float[p.c.length];
    for (int j = 0; j < mask.length; j++) mask[j] = r.nextInt(3) - 1;
    List<GemmEpilogue.Epilogue> epilogues =
        List.of(
            GemmEpilogue.Epilogue.biasActivation(VECTOR.upload(bias), Activation.RELU),
            GemmEpilogue.Epilogue.biasActivation(VECTOR.upload(bias), Activation.NONE),
            GemmEpilogue.Epilogue.biasActivation(null, Activation.RELU),
            GemmEpilogue.Epilogue.reluMask(VECTOR.upload(mask)));
    for (GemmEpilogue.Epilogue e : epilogues) {
      float[] fused = p.c.clone();
      VectorGemvF32.gemm(p.spec, p.a, p.b, fused, GemmEpilogueKernels.F32.of(e));
      DeviceBuffer want = VECTOR.upload(p.c);
      VectorGemvF32.gemm(p.spec, p.a, p.b, f32Array(want), null);
      GemmEpilogueKernels.apply(p.spec, CpuBuffer.of(want), e);
      assertThat(fused).as("%s", e).containsExactly(f32(want));
    }
  }

  static Stream<Arguments> epilogueCases() {
    return Stream.of(
        Arguments.of(1, 1037, 300, false, false, 1), // a dense layer's forward, past one block
        Arguments.of(1, 10, 1024, false, false, 2), // a classifier layer: all scalar tail
        Arguments.of(3, 17, 5, true, false, 3),
        Arguments.of(4, 33, 1, false, true, 4),
        Arguments.of(2, 100, 17, true, true, 5)); // an input gradient through a ReLU
  }

  /**
   * Split across 1, 2 or 3 threads (above the parallel threshold; by items where the drawn batch
   * has enough, else by columns), the result is the same.
   */
  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
  @MethodSource("epilogueCases")
  void resultDoesNotDependOnTheThreadCount(int m, int n, int k, boolean ta, boolean tb, int seed) {
    Problem p = Problem.random(m, 2 * n + 129, k + 200, ta, tb, seed);
    threadCountDoesNotMatter(p);
    // Many items, each with its own C: split by items.
    threadCountDoesNotMatter(Problem.random(m, n, k + 200, ta, tb, seed, 9));
  }

  private static void threadCountDoesNotMatter(Problem p) {
    float[] one = p.c.clone();
    CpuParallel.withThreads(1, () -> run(p, one));
    for (int threads = 2; threads <= 3; threads++) {
      float[] more = p.c.clone();
      CpuParallel.withThreads(threads, () -> run(p, more));
      assertThat(more).as("%d threads", threads).containsExactly(one);
    }
  }

  /** The backend routes small-row float32 products here, with and without an epilogue. */
  @Test
  void backend_routesSmallRowProductsHere() {
    Problem p = Problem.random(1, 100, 300, false, true, 9).withBatchOne();
    float[] direct = p.c.clone();
    VectorGemvF32.gemm(p.spec, p.a, p.b, direct, null);
    DeviceBuffer c = VECTOR.upload(p.c);
    VECTOR.gemm(p.spec, VECTOR.upload(p.a), VECTOR.upload(p.b), c);
    assertThat(f32(c)).containsExactly(direct);
    // Transposed B sums in another order than the packed kernel: these rounded apart here.
    float[] packed = p.c.clone();
    VectorGemmF32.gemm(p.spec, p.a, p.b, packed);
    assertThat(packed).isNotEqualTo(direct);

    DeviceBuffer fused = VECTOR.upload(p.c);
    GemmEpilogue.Epilogue relu = GemmEpilogue.Epilogue.biasActivation(null, Activation.RELU);
    assertThat(VECTOR.gemmEpilogue(p.spec, VECTOR.upload(p.a), VECTOR.upload(p.b), fused, relu))
        .isTrue();
    float[] f = f32(fused);
    for (int j = 0; j < p.spec.n(); j++) {
      int i = (int) p.spec.cOffset() + j;
      assertThat(f[i]).isEqualTo(ScalarUnary.relu(direct[i]));
    }
  }

  private static Object run(Problem p, float[] c) {
    VectorGemvF32.gemm(p.spec, p.a, p.b, c, null);
    return null;
  }

  private static float[] f32Array(DeviceBuffer b) {
    return CpuBuffer.of(b).f32();
  }

  /** A random float32 problem: offsets, padded leading dims, maybe stride-0 batches. */
  private record Problem(GemmSpec spec, float[] a, float[] b, float[] c) {
    static Problem random(int m, int n, int k, boolean ta, boolean tb, long seed) {
      return random(m, n, k, ta, tb, seed, 0);
    }

    /** {@code batch} items (0: 1 to 3, drawn). */
    static Problem random(int m, int n, int k, boolean ta, boolean tb, long seed, int items) {
      Random r = new Random(seed);
      int batch = items > 0 ? items : 1 + r.nextInt(3);
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
              r.nextBoolean());
      return new Problem(
          spec,
          random(r, (int) (aOff + (batch - 1) * aStride + (long) aRows * lda)),
          random(r, (int) (bOff + (batch - 1) * bStride + (long) bRows * ldb)),
          random(r, (int) (cOff + (batch - 1) * cStride + (long) m * ldc)));
    }

    /** The same problem for one batch item, not accumulating (as the epilogue capability sees). */
    Problem withBatchOne() {
      GemmSpec s = spec;
      return new Problem(
          new GemmSpec(
              1,
              s.m(),
              s.n(),
              s.k(),
              s.transA(),
              s.aOffset(),
              s.lda(),
              s.aBatchStride(),
              s.transB(),
              s.bOffset(),
              s.ldb(),
              s.bBatchStride(),
              s.cOffset(),
              s.ldc(),
              s.cBatchStride(),
              false),
          a,
          b,
          c);
    }

    /** The product in double (the scalar reference on the same float values): C where written. */
    double[] exact() {
      return reference(a, b, c, spec.accumulate());
    }

    /** {@code sum_p |a_ip| |b_pj|} at every C position. */
    double[] absBound() {
      return reference(abs(a), abs(b), new float[c.length], false);
    }

    private double[] reference(float[] x, float[] y, float[] z, boolean accumulate) {
      GemmSpec s = spec;
      GemmSpec d =
          new GemmSpec(
              s.batch(),
              s.m(),
              s.n(),
              s.k(),
              s.transA(),
              s.aOffset(),
              s.lda(),
              s.aBatchStride(),
              s.transB(),
              s.bOffset(),
              s.ldb(),
              s.bBatchStride(),
              s.cOffset(),
              s.ldc(),
              s.cBatchStride(),
              accumulate);
      DeviceBuffer out = SCALAR.upload(toDouble(z));
      SCALAR.gemm(d, SCALAR.upload(toDouble(x)), SCALAR.upload(toDouble(y)), out);
      return f64(out);
    }

    private static float[] random(Random r, int n) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
      return v;
    }

    private static float[] abs(float[] x) {
      float[] v = new float[x.length];
      for (int i = 0; i < x.length; i++) v[i] = Math.abs(x[i]);
      return v;
    }

    private static double[] toDouble(float[] x) {
      double[] v = new double[x.length];
      for (int i = 0; i < x.length; i++) v[i] = x[i];
      return v;
    }
  }
}
