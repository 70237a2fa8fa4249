package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 products with at most {@link #MAX_ROWS} rows of op(A) (batch-1 inference, a recurrent
 * step with a few sequences, the input gradient of one example): matrix-vector products, bound by
 * reading op(B) once from memory, so op(B) is streamed once and never packed (the packed {@link
 * VectorGemmF32} copies every element of B into its panels before using it once per row, and its
 * register tile wastes three quarters of its FMAs on one row).
 *
 * <p><b>Row-major B</b> ({@code transB} false: a weight matrix {@code [k, n]}, as a dense layer's
 * forward reads it). Vectorised over the columns: for a block of {@link #BLOCK_COLUMNS} columns the
 * rows of B are read four at a time, each as a contiguous run of the block's width (a stream the
 * hardware prefetcher follows; walking one narrow strip down all {@code k} rows would jump a
 * leading dimension, often 4 KiB, per row and miss every time), and each row of op(A) adds its four
 * rank-1 contributions to its accumulator row, a scratch row of the block's width that stays in L1.
 * Every element is {@code fma(a_ip, b_pj, acc)} from zero in order of {@code p}, in a vector lane
 * or in the scalar tail ({@link Math#fma}, the same rounding), then stored (or added to C when the
 * spec accumulates): for {@code k <= VectorGemmF32.KC} that is exactly the packed kernel's
 * arithmetic, so the two agree bit for bit; deeper products differ only in where the packed kernel
 * adds its depth blocks.
 *
 * <p><b>Transposed B</b> ({@code transB} true: {@code B} stored {@code [n, k]}, as the input
 * gradient {@code dy · Wᵀ} reads a weight). Column {@code j} of op(B) is row {@code j} of B,
 * contiguous: each element is a dot product of a row of op(A) with that row, vectorised over the
 * depth (two vector accumulators, then a lane reduction and a scalar {@link Math#fma} tail). The
 * summation order differs from the packed kernel's; see the test for the bound.
 *
 * <p><b>Transposed A</b> costs nothing for row-major B (one scalar per row and depth step, read
 * with its stride); for transposed B each thread first gathers the rows of op(A) of an item into a
 * contiguous scratch ({@code m * k} floats).
 *
 * <p><b>Epilogue.</b> Each column block of C is finished by {@link VectorEpilogueRows#rowsF32}
 * right after it is written, while it is in L1: the same arithmetic as every other float32 path.
 *
 * <p><b>Threads.</b> Above {@link #PARALLEL_MIN_MACS} multiply-adds, batch items split across
 * threads when there are at least as many as threads (and each has its own C); otherwise the
 * columns are cut into one range per thread, in whole units of {@link CpuParallel#VECTOR_ALIGNMENT}
 * columns, and each range runs the items one after another (so a C shared by every item, batch
 * stride 0, sees them in order, as in the packed kernel). An element's arithmetic never depends on
 * which thread or range holds it (vector lane and scalar tail round alike, a dot product is
 * computed whole by one thread), so results do not depend on the thread count.
 *
 * <p><b>Allocation.</b> None per call on one thread (scratch rows are per thread and reused); a
 * call split across threads allocates only the pool's small job object and its body.
 *
 * <p>{@value #PROPERTY}{@code =false} turns this path off (every product then runs the packed
 * kernel): the A/B switch for benchmarks. It is read once, when the class is first used.
 */
final class VectorGemvF32 {
  /** System property: {@code false} sends small-row products to the packed kernel too. */
  static final String PROPERTY = "sonnet.cpu.gemv";

  /** Whether this path is on ({@value #PROPERTY} is not {@code false}). */
  static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

  /** The most rows of op(A) this path takes; taller products reuse B enough to pay for packing. */
  static final int MAX_ROWS = 4;

  /**
   * Columns per block for row-major B: four rows of B across the block (8 KiB) and up to four
   * accumulator rows (8 KiB) fit in L1 together.
   */
  static final int BLOCK_COLUMNS = 512;

  /** Multiply-adds below which a product runs on the calling thread alone. */
  static final long PARALLEL_MIN_MACS = 1L << 16;

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /**
   * Per-thread accumulator rows for row-major B, or the gathered rows of op(A) for transposed B
   * (never both in one call).
   */
  private static final FloatScratch SCRATCH = new FloatScratch();

  private VectorGemvF32() {}

  /**
   * Whether this path takes {@code s} on C of {@code dtype}: float32, 1 to {@link #MAX_ROWS} rows,
   * at least one column and one depth step, and {@value #PROPERTY} not off.
   */
  static boolean handles(GemmSpec s, DType dtype) {
    return ENABLED
        && dtype == DType.FLOAT32
        && s.batch() > 0
        && s.m() > 0
        && s.m() <= MAX_ROWS
        && s.n() > 0
        && s.k() > 0;
  }

  /**
   * {@code C = epi(op(A) @ op(B) (+ C))} for every batch item, {@code epi} null for none; the
   * caller has checked {@link #handles}.
   */
  static void gemm(GemmSpec s, float[] a, float[] b, float[] c, GemmEpilogueKernels.F32 epi) {
    int n = s.n();
    long macs = (long) s.batch() * s.m() * n * s.k();
    int units = (n + CpuParallel.VECTOR_ALIGNMENT - 1) / CpuParallel.VECTOR_ALIGNMENT;
    int threads = macs < PARALLEL_MIN_MACS ? 1 : CpuParallel.threads();
    int batch = s.batch();
    if (threads > 1 && batch >= threads && s.cBatchStride() != 0) {
      // Enough items for every thread (batched small products): split the items, whole.
      CpuParallel.parallelFor(batch, 1, (from, to) -> columns(s, from, to, a, b, c, epi, 0, n));
      return;
    }
    int tasks = Math.min(units, threads);
    if (tasks <= 1) {
      columns(s, 0, batch, a, b, c, epi, 0, n);
      return;
    }
    CpuParallel.parallelFor(
        tasks,
        1,
        (from, to) -> {
          for (int t = from; t < to; t++) {
            int j0 = Math.min(n, (int) ((long) units * t / tasks) * CpuParallel.VECTOR_ALIGNMENT);
            int j1 =
                Math.min(n, (int) ((long) units * (t + 1) / tasks) * CpuParallel.VECTOR_ALIGNMENT);
            columns(s, 0, batch, a, b, c, epi, j0, j1);
          }
        });
  }

  /** Columns {@code [j0, j1)} of C for batch items {@code [item0, item1)}, on this thread. */
  private static void columns(
      GemmSpec s,
      int item0,
      int item1,
      float[] a,
      float[] b,
      float[] c,
      GemmEpilogueKernels.F32 epi,
      int j0,
      int j1) {
    for (int item = item0; item < item1; item++) {
      if (s.transB()) {
        dotColumns(s, item, a, b, c, epi, j0, j1);
      } else {
        for (int jb = j0; jb < j1; jb += BLOCK_COLUMNS) {
          streamBlock(s, item, a, b, c, epi, jb, Math.min(j1, jb + BLOCK_COLUMNS));
        }
      }
    }
  }

  /** Row-major B: C[:, jb:je) of one item, B's rows read four at a time across the block. */
  private static void streamBlock(
      GemmSpec s,
      int item,
      float[] a,
      float[] b,
      float[] c,
      GemmEpilogueKernels.F32 epi,
      int jb,
      int je) {
    int m = s.m();
    int k = s.k();
    int w = je - jb;
    int ldb = s.ldb();
    int lda = s.lda();
    boolean transA = s.transA();
    // op(A)[i, p] = a[ai + i * di + p * dp]
    int ai = (int) (s.aOffset() + item * s.aBatchStride());
    int di = transA ? 1 : lda;
    int dp = transA ? lda : 1;
    int bRow = (int) (s.bOffset() + item * s.bBatchStride()) + jb;
    float[] acc = SCRATCH.get(MAX_ROWS * BLOCK_COLUMNS);
    int p = 0;
    for (; p + 4 <= k; p += 4, bRow += 4 * ldb) {
      for (int i = 0; i < m; i++) {
        int x = ai + i * di + p * dp;
        rank4(
            acc,
            i * BLOCK_COLUMNS,
            w,
            a[x],
            a[x + dp],
            a[x + 2 * dp],
            a[x + 3 * dp],
            b,
            bRow,
            ldb,
            p == 0);
      }
    }
    for (; p < k; p++, bRow += ldb) {
      for (int i = 0; i < m; i++) {
        rank1(acc, i * BLOCK_COLUMNS, w, a[ai + i * di + p * dp], b, bRow, p == 0);
      }
    }
    int ldc = s.ldc();
    int cRow = (int) (s.cOffset() + item * s.cBatchStride()) + jb;
    for (int i = 0; i < m; i++) {
      store(acc, i * BLOCK_COLUMNS, c, cRow + i * ldc, w, s.accumulate());
    }
    if (epi != null) {
      VectorEpilogueRows.rowsF32(c, cRow, ldc, m, jb, w, epi);
    }
  }

  /**
   * {@code acc[o + q] = fma(a3, b3[q], fma(a2, b2[q], fma(a1, b1[q], fma(a0, b0[q], acc[o + q]))))}
   * for {@code q < w}, the four rows of B {@code ldb} apart from {@code b[bRow]}; {@code first}
   * starts from zero instead of {@code acc}.
   */
  private static void rank4(
      float[] acc,
      int o,
      int w,
      float a0,
      float a1,
      float a2,
      float a3,
      float[] b,
      int bRow,
      int ldb,
      boolean first) {
    FloatVector x0 = FloatVector.broadcast(S, a0);
    FloatVector x1 = FloatVector.broadcast(S, a1);
    FloatVector x2 = FloatVector.broadcast(S, a2);
    FloatVector x3 = FloatVector.broadcast(S, a3);
    int r1 = bRow + ldb;
    int r2 = r1 + ldb;
    int r3 = r2 + ldb;
    int end = S.loopBound(w);
    int q = 0;
    for (; q < end; q += L) {
      FloatVector v = first ? FloatVector.zero(S) : FloatVector.fromArray(S, acc, o + q);
      v = x0.fma(FloatVector.fromArray(S, b, bRow + q), v);
      v = x1.fma(FloatVector.fromArray(S, b, r1 + q), v);
      v = x2.fma(FloatVector.fromArray(S, b, r2 + q), v);
      v = x3.fma(FloatVector.fromArray(S, b, r3 + q), v);
      v.intoArray(acc, o + q);
    }
    for (; q < w; q++) {
      float v = first ? 0f : acc[o + q];
      v = Math.fma(a0, b[bRow + q], v);
      v = Math.fma(a1, b[r1 + q], v);
      v = Math.fma(a2, b[r2 + q], v);
      v = Math.fma(a3, b[r3 + q], v);
      acc[o + q] = v;
    }
  }

  /** {@link #rank4} for one row of B. */
  private static void rank1(
      float[] acc, int o, int w, float a0, float[] b, int bRow, boolean first) {
    FloatVector x0 = FloatVector.broadcast(S, a0);
    int end = S.loopBound(w);
    int q = 0;
    for (; q < end; q += L) {
      FloatVector v = first ? FloatVector.zero(S) : FloatVector.fromArray(S, acc, o + q);
      x0.fma(FloatVector.fromArray(S, b, bRow + q), v).intoArray(acc, o + q);
    }
    for (; q < w; q++) {
      acc[o + q] = Math.fma(a0, b[bRow + q], first ? 0f : acc[o + q]);
    }
  }

  /** {@code c[ci + q] = acc[o + q]}, or {@code c[ci + q] + acc[o + q]} when accumulating. */
  private static void store(float[] acc, int o, float[] c, int ci, int w, boolean accumulate) {
    if (!accumulate) {
      System.arraycopy(acc, o, c, ci, w);
      return;
    }
    int end = S.loopBound(w);
    int q = 0;
    for (; q < end; q += L) {
      FloatVector.fromArray(S, c, ci + q)
          .add(FloatVector.fromArray(S, acc, o + q))
          .intoArray(c, ci + q);
    }
    for (; q < w; q++) {
      c[ci + q] = c[ci + q] + acc[o + q];
    }
  }

  /**
   * Transposed B: C[:, j0:j1) of one item, each element a dot product of a row of op(A) with a row
   * of B; the epilogue runs per {@link #BLOCK_COLUMNS} columns, while they are in L1.
   */
  private static void dotColumns(
      GemmSpec s,
      int item,
      float[] a,
      float[] b,
      float[] c,
      GemmEpilogueKernels.F32 epi,
      int j0,
      int j1) {
    int m = s.m();
    int k = s.k();
    int ldb = s.ldb();
    int ldc = s.ldc();
    boolean accumulate = s.accumulate();
    // Row i of op(A) starts at rows[aStart + i * aStep], contiguous.
    float[] rows = a;
    int aStart = (int) (s.aOffset() + item * s.aBatchStride());
    int aStep = s.lda();
    if (s.transA()) {
      rows = gatherRowsOfA(s, item, a);
      aStart = 0;
      aStep = k;
    }
    int bBase = (int) (s.bOffset() + item * s.bBatchStride());
    int cBase = (int) (s.cOffset() + item * s.cBatchStride());
    for (int jb = j0; jb < j1; jb += BLOCK_COLUMNS) {
      int je = Math.min(j1, jb + BLOCK_COLUMNS);
      for (int j = jb; j < je; j++) {
        int bj = bBase + j * ldb;
        for (int i = 0; i < m; i++) {
          float v = dot(rows, aStart + i * aStep, b, bj, k);
          int ci = cBase + i * ldc + j;
          c[ci] = accumulate ? c[ci] + v : v;
        }
      }
      if (epi != null) {
        VectorEpilogueRows.rowsF32(c, cBase + jb, ldc, m, jb, je - jb, epi);
      }
    }
  }

  /** {@code sum_p x[xi + p] * y[yi + p]} for {@code p < k}: two vector sums, then the tail. */
  private static float dot(float[] x, int xi, float[] y, int yi, int k) {
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    int p = 0;
    for (int end2 = k - 2 * L; p <= end2; p += 2 * L) {
      s0 = FloatVector.fromArray(S, x, xi + p).fma(FloatVector.fromArray(S, y, yi + p), s0);
      s1 = FloatVector.fromArray(S, x, xi + p + L).fma(FloatVector.fromArray(S, y, yi + p + L), s1);
    }
    if (p <= k - L) {
      s0 = FloatVector.fromArray(S, x, xi + p).fma(FloatVector.fromArray(S, y, yi + p), s0);
      p += L;
    }
    float sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
    for (; p < k; p++) {
      sum = Math.fma(x[xi + p], y[yi + p], sum);
    }
    return sum;
  }

  /**
   * Transposed A with transposed B: the rows of op(A) ({@code op(A)[i, p] = a[p * lda + i]}) of one
   * item gathered contiguously into this thread's scratch, {@code m * k} floats. Each thread
   * gathers for itself: {@code m * k} copies against its {@code m * k * n / threads} multiply-adds.
   */
  private static float[] gatherRowsOfA(GemmSpec s, int item, float[] a) {
    int m = s.m();
    int k = s.k();
    int lda = s.lda();
    float[] rows = SCRATCH.get(m * k);
    int base = (int) (s.aOffset() + item * s.aBatchStride());
    for (int p = 0; p < k; p++) {
      for (int i = 0; i < m; i++) {
        rows[i * k + p] = a[base + p * lda + i];
      }
    }
    return rows;
  }
}
