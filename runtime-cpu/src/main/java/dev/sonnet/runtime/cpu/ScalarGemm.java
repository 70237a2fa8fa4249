package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.GemmSpec;

/**
 * The reference matrix product: for each row of C, {@code acc[j] = sum_p op(A)[i,p] * op(B)[p,j]}
 * accumulated in double over {@code p = 0..k-1} in order, then stored (or added to C when {@code
 * accumulate}) with a single rounding. For float32 every product is exact in double, so the result
 * is the correctly rounded value of a double-precision sum: the yardstick for the vector kernel's
 * float arithmetic.
 *
 * <p>Rows of C (over all batch items) are independent and split across {@link CpuParallel}; C's
 * batch stride must therefore not be 0 when {@code batch > 1}.
 */
final class ScalarGemm {
  private ScalarGemm() {}

  static void gemm(GemmSpec s, CpuBuffer a, CpuBuffer b, CpuBuffer c) {
    int m = s.m();
    int n = s.n();
    int rows = s.batch() * m;
    Object av = a.array();
    Object bv = b.array();
    Object cv = c.array();
    CpuParallel.parallelFor(
        rows,
        CpuParallel.grainFor((long) n * s.k()),
        (from, to) -> {
          double[] acc = new double[n];
          for (int r = from; r < to; r++) {
            int item = r / m;
            int i = r - item * m;
            java.util.Arrays.fill(acc, 0.0);
            if (av instanceof float[] af) {
              rowF32(s, af, (float[]) bv, item, i, acc);
            } else {
              rowF64(s, (double[]) av, (double[]) bv, item, i, acc);
            }
            long cRow = s.cOffset() + item * s.cBatchStride() + (long) i * s.ldc();
            store(cv, (int) cRow, acc, n, s.accumulate());
          }
        });
  }

  private static void rowF32(GemmSpec s, float[] a, float[] b, int item, int i, double[] acc) {
    int n = s.n();
    long aBase = s.aOffset() + item * s.aBatchStride();
    long bBase = s.bOffset() + item * s.bBatchStride();
    for (int p = 0; p < s.k(); p++) {
      double aip =
          a[(int) (s.transA() ? aBase + (long) p * s.lda() + i : aBase + (long) i * s.lda() + p)];
      if (s.transB()) {
        int bp = (int) (bBase + p);
        int ldb = s.ldb();
        for (int j = 0; j < n; j++) acc[j] += aip * b[bp + j * ldb];
      } else {
        int bp = (int) (bBase + (long) p * s.ldb());
        for (int j = 0; j < n; j++) acc[j] += aip * b[bp + j];
      }
    }
  }

  private static void rowF64(GemmSpec s, double[] a, double[] b, int item, int i, double[] acc) {
    int n = s.n();
    long aBase = s.aOffset() + item * s.aBatchStride();
    long bBase = s.bOffset() + item * s.bBatchStride();
    for (int p = 0; p < s.k(); p++) {
      double aip =
          a[(int) (s.transA() ? aBase + (long) p * s.lda() + i : aBase + (long) i * s.lda() + p)];
      if (s.transB()) {
        int bp = (int) (bBase + p);
        int ldb = s.ldb();
        for (int j = 0; j < n; j++) acc[j] += aip * b[bp + j * ldb];
      } else {
        int bp = (int) (bBase + (long) p * s.ldb());
        for (int j = 0; j < n; j++) acc[j] += aip * b[bp + j];
      }
    }
  }

  private static void store(Object cv, int cRow, double[] acc, int n, boolean accumulate) {
    if (cv instanceof float[] c) {
      if (accumulate) {
        for (int j = 0; j < n; j++) c[cRow + j] = (float) (c[cRow + j] + acc[j]);
      } else {
        for (int j = 0; j < n; j++) c[cRow + j] = (float) acc[j];
      }
    } else {
      double[] c = (double[]) cv;
      if (accumulate) {
        for (int j = 0; j < n; j++) c[cRow + j] += acc[j];
      } else {
        System.arraycopy(acc, 0, c, cRow, n);
      }
    }
  }
}
