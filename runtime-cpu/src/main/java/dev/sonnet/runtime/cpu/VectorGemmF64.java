package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.GemmSpec;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A packed, register-blocked float64 matrix product with the Vector API, in the classic GotoBLAS
 * shape.
 *
 * <p><b>Blocking.</b> C is zeroed first unless accumulating, then built from rank-{@code KC}
 * updates over column blocks of {@code NC}. For each block, the {@code KC x NC} slice of op(B) is
 * packed into panels of {@code NR = 2 vectors} columns, row after row, zero-padded at the right
 * edge; each thread packs {@code MR} rows of op(A) into a {@code KC x MR} strip. Packing turns
 * every transpose, offset and leading dimension into unit-stride reads, so one micro-kernel serves
 * all {@link GemmSpec} cases.
 *
 * <p><b>Micro-kernel.</b> {@code MR x NR} accumulators live in registers; per {@code p} it loads
 * two B vectors and, per row, broadcasts one A value and issues two FMAs. Full tiles add straight
 * into C; edge tiles (fewer than MR rows or NR columns) go through a small scratch tile.
 *
 * <p><b>Threads.</b> With at least as many batch items as threads, items split across threads and
 * each runs serially; otherwise each item splits its row strips across threads, sharing the packed
 * B block. Either way an element's sum runs in order of {@code p} in one thread, so the result does
 * not depend on the thread count.
 *
 * <p><b>Accuracy.</b> Products accumulate in double with FMA in order of {@code p}, so against the
 * exact result the error is at most about {@code k * 2^-53 * sum_p |a_ip| |b_pj|} per element.
 */
final class VectorGemmF64 {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Rows of the micro tile. */
  static final int MR = 4;

  /** Columns of the micro tile: two vectors. */
  static final int NR = 2 * L;

  /** Depth of one rank update: a packed B panel of KC x NR stays in L1. */
  static final int KC = 256;

  /** Columns per packed B block: KC x NC doubles, about 1 MiB, stay in L2. */
  static final int NC = 512;

  private VectorGemmF64() {}

  static void gemm(GemmSpec s, double[] a, double[] b, double[] c) {
    int threads = CpuParallel.threads();
    if (s.batch() > 1 && s.batch() >= threads && s.cBatchStride() != 0) {
      long work = (long) s.m() * s.n() * Math.max(1, s.k()) / L;
      CpuParallel.parallelFor(
          s.batch(),
          CpuParallel.grainFor(work),
          (from, to) -> {
            for (int item = from; item < to; item++) {
              item(s, item, a, b, c, false);
            }
          });
    } else {
      for (int item = 0; item < s.batch(); item++) {
        item(s, item, a, b, c, true);
      }
    }
  }

  private static void item(
      GemmSpec s, int item, double[] a, double[] b, double[] c, boolean parallel) {
    int m = s.m();
    int n = s.n();
    int k = s.k();
    int cBase = (int) (s.cOffset() + item * s.cBatchStride());
    int ldc = s.ldc();
    if (!s.accumulate()) {
      for (int i = 0; i < m; i++) {
        Arrays.fill(c, cBase + i * ldc, cBase + i * ldc + n, 0.0);
      }
    }
    int aBase = (int) (s.aOffset() + item * s.aBatchStride());
    int bBase = (int) (s.bOffset() + item * s.bBatchStride());
    int strips = (m + MR - 1) / MR;
    double[] bPack = new double[Math.min(KC, Math.max(k, 1)) * roundUp(Math.min(NC, n), NR)];
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      int panels = (nc + NR - 1) / NR;
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        packB(s, b, bBase, pc, kc, jc, nc, bPack);
        int j0 = jc;
        int p0 = pc;
        CpuParallel.RangeBody body =
            (from, to) -> {
              double[] aPack = new double[kc * MR];
              double[] tile = new double[MR * NR];
              for (int strip = from; strip < to; strip++) {
                int i0 = strip * MR;
                int mr = Math.min(MR, m - i0);
                packA(s, a, aBase, i0, mr, p0, kc, aPack);
                for (int panel = 0; panel < panels; panel++) {
                  int nr = Math.min(NR, nc - panel * NR);
                  int cIdx = cBase + i0 * ldc + j0 + panel * NR;
                  micro(kc, aPack, bPack, panel * kc * NR, c, cIdx, ldc, mr, nr, tile);
                }
              }
            };
        if (parallel) {
          // Work counted in vector FMAs: a scalar-op unit would split far too eagerly.
          CpuParallel.parallelFor(strips, CpuParallel.grainFor((long) MR * nc * kc / L), body);
        } else {
          body.run(0, strips);
        }
      }
    }
  }

  /** Packs op(B)[pc:pc+kc, jc:jc+nc] into panels of NR columns, each kc rows of NR doubles. */
  private static void packB(
      GemmSpec s, double[] b, int bBase, int pc, int kc, int jc, int nc, double[] pack) {
    int ldb = s.ldb();
    for (int j = 0, panel = 0; j < nc; j += NR, panel++) {
      int nr = Math.min(NR, nc - j);
      int dst = panel * kc * NR;
      if (s.transB()) {
        // op(B)[p, j] = b[j * ldb + p]: read each column contiguously.
        for (int jj = 0; jj < NR; jj++) {
          if (jj < nr) {
            int src = bBase + (jc + j + jj) * ldb + pc;
            for (int p = 0; p < kc; p++) pack[dst + p * NR + jj] = b[src + p];
          } else {
            for (int p = 0; p < kc; p++) pack[dst + p * NR + jj] = 0.0;
          }
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = bBase + (pc + p) * ldb + jc + j;
          System.arraycopy(b, src, pack, dst + p * NR, nr);
          if (nr < NR) {
            Arrays.fill(pack, dst + p * NR + nr, dst + (p + 1) * NR, 0.0);
          }
        }
      }
    }
  }

  /** Packs op(A)[i0:i0+mr, pc:pc+kc] as kc groups of MR doubles, zero rows past mr. */
  private static void packA(
      GemmSpec s, double[] a, int aBase, int i0, int mr, int pc, int kc, double[] pack) {
    int lda = s.lda();
    if (mr < MR) {
      Arrays.fill(pack, 0, kc * MR, 0.0);
    }
    if (s.transA()) {
      // op(A)[i, p] = a[p * lda + i]: the MR values of one p are contiguous.
      for (int p = 0; p < kc; p++) {
        int src = aBase + (pc + p) * lda + i0;
        for (int r = 0; r < mr; r++) pack[p * MR + r] = a[src + r];
      }
    } else {
      for (int r = 0; r < mr; r++) {
        int src = aBase + (i0 + r) * lda + pc;
        for (int p = 0; p < kc; p++) pack[p * MR + r] = a[src + p];
      }
    }
  }

  /** C[0:mr, 0:nr] += Apack(kc x MR)^T-strip times Bpack panel (kc x NR). */
  private static void micro(
      int kc,
      double[] ap,
      double[] bp,
      int bOff,
      double[] c,
      int cIdx,
      int ldc,
      int mr,
      int nr,
      double[] tile) {
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S);
    DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S);
    DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S);
    DoubleVector c31 = DoubleVector.zero(S);
    for (int p = 0, ai = 0, bi = bOff; p < kc; p++, ai += MR, bi += NR) {
      DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
      DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
      DoubleVector x = DoubleVector.broadcast(S, ap[ai]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = DoubleVector.broadcast(S, ap[ai + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = DoubleVector.broadcast(S, ap[ai + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = DoubleVector.broadcast(S, ap[ai + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    if (mr == MR && nr == NR) {
      addInto(c, cIdx, c00, c01);
      addInto(c, cIdx + ldc, c10, c11);
      addInto(c, cIdx + 2 * ldc, c20, c21);
      addInto(c, cIdx + 3 * ldc, c30, c31);
      return;
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    for (int r = 0; r < mr; r++) {
      int row = cIdx + r * ldc;
      for (int j = 0; j < nr; j++) c[row + j] += tile[r * NR + j];
    }
  }

  private static void addInto(double[] c, int idx, DoubleVector v0, DoubleVector v1) {
    DoubleVector.fromArray(S, c, idx).add(v0).intoArray(c, idx);
    DoubleVector.fromArray(S, c, idx + L).add(v1).intoArray(c, idx + L);
  }

  private static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }
}
