package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.GemmSpec;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A packed, register-blocked float32 matrix product with the Vector API, in the BLIS shape.
 *
 * <p><b>Micro-kernel.</b> A tile of {@code MR = 4} rows by {@code NR = 2} vectors of C lives in 8
 * vector registers; per step {@code p} it loads two B vectors and, per row, broadcasts one A value
 * and issues two FMAs. Full tiles store straight into C (added to C unless this is the first depth
 * block of a non-accumulating product, so C is never cleared in a separate pass); edge tiles go
 * through a small scratch tile. A taller tile (6, 8 or 12 rows) would halve the loads per FMA, but
 * on JDK 25 C2 then stops intrinsifying part of the method and boxes every vector (hundreds of MB
 * allocated per product, 10x slower): keep this kernel's vector-op count small, and check {@code
 * -prof gc} in GemmBench after any change here.
 *
 * <p><b>Blocking.</b> For each block of {@code NC} columns and {@code KC} depth, the {@code KC x
 * NC} slice of op(B) is packed into panels of {@code NR} columns (zero-padded at the right edge),
 * about 512 KiB that stay in L2; each strip of {@code MR} rows of op(A) is packed into a {@code KC
 * x MR} block that stays in L1 while it sweeps every panel. Packing turns every transpose, offset
 * and leading dimension into unit-stride reads. When op(B) is B itself (row major), op(A) has at
 * most {@link #DIRECT_MAX_ROWS} rows and the depth is at most {@link #DIRECT_MAX_DEPTH}, B is so
 * little reused that packing it costs more than it saves: full panels are read straight from B (the
 * small-shape direct path) and only a ragged right edge is packed. Likewise a row-major op(A) of at
 * most {@link #DIRECT_MAX_ROWS} rows, or a shallow one times a C of at most {@link
 * #SHALLOW_A_MAX_COLUMNS} columns (a first conv layer), has its full strips read in place.
 *
 * <p><b>Threads.</b> With at least as many batch items as threads, items split across threads.
 * Otherwise, above {@link #PARALLEL_MIN_FLOPS}, C is cut into one block per thread, by columns (in
 * whole panels) when it is at least as wide as tall, else by rows (in whole strips); each thread
 * packs what its block needs into its own reused scratch, so threads never wait on each other
 * inside a product. The split never changes an element's arithmetic: blocks start on whole panels
 * and strips, so every tile and edge tile is the same in any split, and each element sums its depth
 * in order of {@code p} whichever thread runs it (reading a strip of A or a panel of B in place,
 * which a block's width may decide, gives the same products in the same order as packing it); the
 * depth is never split across threads, so the result does not depend on the thread count.
 *
 * <p><b>Accuracy.</b> Products accumulate in float with FMA in order of {@code p}, so against the
 * exact result the error is at most about {@code k * 2^-24 * sum_p |a_ip| |b_pj|} per element.
 */
final class VectorGemmF32 {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Rows of the micro tile. */
  static final int MR = 4;

  /** Columns of the micro tile: two vectors. */
  static final int NR = 2 * L;

  /** Depth of one rank update: a packed A strip of KC x MR floats (4 KiB) stays in L1. */
  static final int KC = 256;

  /** Columns per packed B block: KC x NC floats, 512 KiB, stay in L2. */
  static final int NC = 512;

  /**
   * op(A) row count up to which row-major B may be read in place instead of packed, and full strips
   * of row-major op(A) are read in place (a dense layer's forward at batch 64: 19% faster than
   * packing them, batch 100: 3%, its input gradient 8%, on the 2-core EPYC, one thread).
   */
  static final int DIRECT_MAX_ROWS = 128;

  /**
   * Depth up to which row-major B may be read in place: a shallow B (the input gradient of a
   * classifier layer, k = 10) is read once, so packing it would double its cost. Deeper B rows sit
   * a leading dimension apart, often a multiple of 4 KiB that maps every row of a panel to the same
   * cache set, so they are packed.
   */
  static final int DIRECT_MAX_DEPTH = 64;

  /**
   * Widest C block (two panels) for which a full strip of a shallow (depth at most {@link
   * #DIRECT_MAX_DEPTH}) row-major op(A) is read in place instead of packed.
   */
  static final int SHALLOW_A_MAX_COLUMNS = 2 * NR;

  /** Pieces per thread of a product with a prepacked B: see {@link #gemm}. */
  static final int TASKS_PER_THREAD = 4;

  /** Multiply-adds below which a product runs on the calling thread alone. */
  static final long PARALLEL_MIN_FLOPS = 1L << 18;

  /** Per-thread packing buffers, grown on demand and reused across calls. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private VectorGemmF32() {}

  private static final class Scratch {
    float[] aPack = new float[KC * MR];
    float[] bPack = new float[0];
    final float[] tile = new float[MR * NR];

    float[] bPack(int size) {
      if (bPack.length < size) {
        bPack = new float[size];
      }
      return bPack;
    }
  }

  static void gemm(GemmSpec s, float[] a, float[] b, float[] c) {
    gemm(s, a, b, c, null);
  }

  /**
   * The product followed by {@code epi} (null: none), applied to each strip of {@code MR} rows of a
   * thread's block right after its last depth block: see {@link GemmEpilogueKernels}.
   */
  static void gemm(GemmSpec s, float[] a, float[] b, float[] c, GemmEpilogueKernels.F32 epi) {
    gemm(s, a, b, null, c, epi);
  }

  /** Floats of {@link #packWhole}'s copy of an op(B) of {@code k} rows and {@code n} columns. */
  static long packedLength(int k, int n) {
    return (long) k * roundUp(n, NR);
  }

  /**
   * op(B) of a one-item spec, packed once for products that reuse it (a loaded graph's weights):
   * depth block after depth block ({@link #KC} rows), each holding every panel of {@link #NR}
   * columns in order ({@code kc} rows of NR floats, zero past {@code n}), exactly the panels {@link
   * #block} packs per call. The panel of columns {@code [j, j + NR)} in the depth block at {@code
   * pc} starts at {@code pc * roundUp(n, NR) + (j / NR) * kc * NR}, whatever the split of columns
   * across threads.
   */
  static float[] packWhole(GemmSpec s, float[] b) {
    int k = s.k();
    int n = s.n();
    int np = roundUp(n, NR);
    float[] out = new float[Math.toIntExact(packedLength(k, n))];
    for (int pc = 0; pc < k; pc += KC) {
      packB(s, b, (int) s.bOffset(), pc, Math.min(KC, k - pc), 0, n, out, pc * np);
    }
    return out;
  }

  /**
   * {@link #gemm(GemmSpec, float[], float[], float[], GemmEpilogueKernels.F32)} reading op(B) from
   * {@code packedB} ({@link #packWhole} of the same spec's B) instead of packing it per call, when
   * not null: the same products in the same order, so the same bits. One-item specs only.
   */
  static void gemm(
      GemmSpec s, float[] a, float[] b, float[] packedB, float[] c, GemmEpilogueKernels.F32 epi) {
    if (packedB != null && s.batch() != 1) {
      throw new IllegalArgumentException("a packed B serves one-item products, got " + s);
    }
    int threads = CpuParallel.threads();
    long macs = (long) s.m() * s.n() * Math.max(1, s.k());
    if (s.batch() > 1 && s.batch() >= threads && s.cBatchStride() != 0) {
      CpuParallel.parallelFor(
          s.batch(),
          CpuParallel.grainFor(macs / L),
          (from, to) -> {
            for (int item = from; item < to; item++) {
              block(s, item, a, b, null, c, 0, s.m(), 0, s.n(), epi);
            }
          });
      return;
    }
    int m = s.m();
    int n = s.n();
    // With a prepacked B a task's only setup is finding its panels, so the product is cut into
    // TASKS_PER_THREAD pieces per thread, claimed as threads come free (a thread slowed for a
    // while takes fewer); otherwise one piece per thread, each packing its own part of B once.
    int tasks =
        macs < PARALLEL_MIN_FLOPS ? 1 : packedB != null ? threads * TASKS_PER_THREAD : threads;
    boolean byColumns = n >= m;
    int units = byColumns ? (n + NR - 1) / NR : (m + MR - 1) / MR;
    tasks = Math.max(1, Math.min(tasks, units));
    for (int item = 0; item < s.batch(); item++) {
      if (tasks == 1) {
        block(s, item, a, b, packedB, c, 0, m, 0, n, epi);
        continue;
      }
      int it = item;
      int t = tasks;
      CpuParallel.RangeBody body =
          (from, to) -> {
            for (int task = from; task < to; task++) {
              int u0 = (int) ((long) units * task / t);
              int u1 = (int) ((long) units * (task + 1) / t);
              if (byColumns) {
                block(s, it, a, b, packedB, c, 0, m, u0 * NR, Math.min(n, u1 * NR), epi);
              } else {
                block(s, it, a, b, packedB, c, u0 * MR, Math.min(m, u1 * MR), 0, n, epi);
              }
            }
          };
      if (t > threads) {
        CpuParallel.parallelForEach(t, body);
      } else {
        CpuParallel.parallelFor(t, 1, body);
      }
    }
  }

  /**
   * C[i0:i1, j0:j1] of one batch item, on the calling thread; op(B)'s panels from {@code packedB}
   * ({@link #packWhole}) when not null, else packed here.
   */
  private static void block(
      GemmSpec s,
      int item,
      float[] a,
      float[] b,
      float[] packedB,
      float[] c,
      int i0,
      int i1,
      int j0,
      int j1,
      GemmEpilogueKernels.F32 epi) {
    int k = s.k();
    int ldc = s.ldc();
    int cBase = (int) (s.cOffset() + item * s.cBatchStride());
    if (k == 0) {
      if (!s.accumulate()) {
        for (int i = i0; i < i1; i++) {
          Arrays.fill(c, cBase + i * ldc + j0, cBase + i * ldc + j1, 0f);
        }
      }
      if (epi != null) {
        VectorEpilogueRows.rowsF32(c, cBase + i0 * ldc + j0, ldc, i1 - i0, j0, j1 - j0, epi);
      }
      return;
    }
    int aBase = (int) (s.aOffset() + item * s.aBatchStride());
    int bBase = (int) (s.bOffset() + item * s.bBatchStride());
    int ldb = s.ldb();
    boolean prepacked = packedB != null;
    boolean direct = !prepacked && !s.transB() && s.m() <= DIRECT_MAX_ROWS && k <= DIRECT_MAX_DEPTH;
    int packedWidth = roundUp(s.n(), NR);
    // A shallow row-major op(A) times a narrow C (an im2col matrix of a first conv layer: k = 27,
    // n = 32) costs about as much to pack as to multiply, each strip meeting one or two panels:
    // its MR rows are read in place instead. So is any row-major op(A) of at most
    // DIRECT_MAX_ROWS rows (a dense layer's batch): its strips stay in cache across the panels,
    // and the scalar interleaving that packing does cost more than it saved.
    boolean shallowA =
        !s.transA()
            && (s.m() <= DIRECT_MAX_ROWS
                || (k <= DIRECT_MAX_DEPTH && j1 - j0 <= SHALLOW_A_MAX_COLUMNS));
    int lda = s.lda();
    Scratch scratch = SCRATCH.get();
    float[] aPack = scratch.aPack;
    float[] tile = scratch.tile;
    float[] bPack =
        prepacked
            ? packedB
            : scratch.bPack(direct ? KC * NR : KC * roundUp(Math.min(NC, j1 - j0), NR));
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      int panels = (nc + NR - 1) / NR;
      int fullPanels = nc / NR;
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        boolean overwrite = pc == 0 && !s.accumulate();
        boolean last = pc + kc == k;
        // Where this block's panels start in bPack: the prepacked copy holds every panel of the
        // depth block (jc is a multiple of NR), a per-call pack only this block's.
        int panelBase = prepacked ? pc * packedWidth + (jc / NR) * kc * NR : 0;
        if (direct) {
          if (fullPanels < panels) {
            packB(s, b, bBase, pc, kc, jc + fullPanels * NR, nc - fullPanels * NR, bPack, 0);
          }
        } else if (!prepacked) {
          packB(s, b, bBase, pc, kc, jc, nc, bPack, 0);
        }
        for (int i = i0; i < i1; i += MR) {
          int mr = Math.min(MR, i1 - i);
          int cRow = cBase + i * ldc + jc;
          if (shallowA && mr == MR) {
            // A full strip of a shallow row-major op(A): read it in place, unpacked.
            int aRow = aBase + i * lda + pc;
            for (int panel = 0; panel < panels; panel++) {
              int nr = Math.min(NR, nc - panel * NR);
              if (direct && panel < fullPanels) {
                microRowsA(
                    kc,
                    a,
                    aRow,
                    lda,
                    b,
                    bBase + pc * ldb + jc + panel * NR,
                    ldb,
                    c,
                    cRow + panel * NR,
                    ldc,
                    nr,
                    overwrite,
                    tile);
              } else {
                int off = direct ? 0 : panelBase + panel * kc * NR;
                microRowsA(
                    kc,
                    a,
                    aRow,
                    lda,
                    bPack,
                    off,
                    NR,
                    c,
                    cRow + panel * NR,
                    ldc,
                    nr,
                    overwrite,
                    tile);
              }
            }
            if (last && epi != null) {
              VectorEpilogueRows.rowsF32(c, cRow, ldc, mr, jc, nc, epi);
            }
            continue;
          }
          packA(s, a, aBase, i, mr, pc, kc, aPack);
          for (int panel = 0; panel < panels; panel++) {
            int nr = Math.min(NR, nc - panel * NR);
            if (direct && panel < fullPanels) {
              micro(
                  kc,
                  aPack,
                  b,
                  bBase + pc * ldb + jc + panel * NR,
                  ldb,
                  c,
                  cRow + panel * NR,
                  ldc,
                  mr,
                  nr,
                  overwrite,
                  tile);
            } else {
              int off = direct ? 0 : panelBase + panel * kc * NR;
              micro(kc, aPack, bPack, off, NR, c, cRow + panel * NR, ldc, mr, nr, overwrite, tile);
            }
          }
          if (last && epi != null) {
            // The strip's rows of this column block are final and still in L1: finish them now.
            VectorEpilogueRows.rowsF32(c, cRow, ldc, mr, jc, nc, epi);
          }
        }
      }
    }
  }

  /**
   * Packs op(B)[pc:pc+kc, j:j+nc] into panels of NR columns, each kc rows of NR floats, from {@code
   * dst} on; columns past nc are zero.
   *
   * <p>Row-major B: each full panel row is two vector copies (a {@code System.arraycopy} per row
   * costs a stub call per 128 bytes, which made packing the weights of a dense layer's forward a
   * tenth of a training step). Transposed B (the input gradient's {@code g @ wᵀ}) is a scalar
   * transpose, four columns at a time: about 0.6 ns per float on the 2-core EPYC, 0.75 one column
   * at a time, whether B is in cache or not; blocking it for L1, gathers and scatters with the
   * Vector API were measured no faster (gathers 3x slower).
   */
  static void packB(
      GemmSpec s, float[] b, int bBase, int pc, int kc, int j, int nc, float[] pack, int dst) {
    int ldb = s.ldb();
    for (int jp = 0; jp < nc; jp += NR, dst += kc * NR) {
      int nr = Math.min(NR, nc - jp);
      if (s.transB()) {
        // op(B)[p, j] = b[j * ldb + p]: read each column contiguously, four columns at a time
        // (four loads, four adjacent stores per depth step: a quarter faster than one column).
        int jj = 0;
        for (; jj + 4 <= nr; jj += 4) {
          int s0 = bBase + (j + jp + jj) * ldb + pc;
          int s1 = s0 + ldb;
          int s2 = s1 + ldb;
          int s3 = s2 + ldb;
          for (int p = 0, d = dst + jj; p < kc; p++, d += NR) {
            float v0 = b[s0 + p];
            float v1 = b[s1 + p];
            float v2 = b[s2 + p];
            float v3 = b[s3 + p];
            pack[d] = v0;
            pack[d + 1] = v1;
            pack[d + 2] = v2;
            pack[d + 3] = v3;
          }
        }
        for (; jj < NR; jj++) {
          if (jj < nr) {
            int src = bBase + (j + jp + jj) * ldb + pc;
            for (int p = 0; p < kc; p++) pack[dst + p * NR + jj] = b[src + p];
          } else {
            for (int p = 0; p < kc; p++) pack[dst + p * NR + jj] = 0f;
          }
        }
      } else if (nr == NR) {
        for (int p = 0, src = bBase + pc * ldb + j + jp, d = dst;
            p < kc;
            p++, src += ldb, d += NR) {
          FloatVector.fromArray(S, b, src).intoArray(pack, d);
          FloatVector.fromArray(S, b, src + L).intoArray(pack, d + L);
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = bBase + (pc + p) * ldb + j + jp;
          System.arraycopy(b, src, pack, dst + p * NR, nr);
          Arrays.fill(pack, dst + p * NR + nr, dst + (p + 1) * NR, 0f);
        }
      }
    }
  }

  /** Packs op(A)[i0:i0+mr, pc:pc+kc] as kc groups of MR floats, zero rows past mr. */
  static void packA(
      GemmSpec s, float[] a, int aBase, int i0, int mr, int pc, int kc, float[] pack) {
    int lda = s.lda();
    if (mr < MR) {
      Arrays.fill(pack, 0, kc * MR, 0f);
    }
    if (s.transA()) {
      // op(A)[i, p] = a[p * lda + i]: the MR values of one p are contiguous.
      if (mr == MR) {
        // Four scalar copies: cheaper than a System.arraycopy call per 16 bytes.
        for (int p = 0, src = aBase + pc * lda + i0; p < kc; p++, src += lda) {
          pack[p * MR] = a[src];
          pack[p * MR + 1] = a[src + 1];
          pack[p * MR + 2] = a[src + 2];
          pack[p * MR + 3] = a[src + 3];
        }
      } else {
        for (int p = 0; p < kc; p++) {
          System.arraycopy(a, aBase + (pc + p) * lda + i0, pack, p * MR, mr);
        }
      }
    } else {
      for (int r = 0; r < mr; r++) {
        int src = aBase + (i0 + r) * lda + pc;
        for (int p = 0; p < kc; p++) pack[p * MR + r] = a[src + p];
      }
    }
  }

  /**
   * C[0:mr, 0:nr] (+)= the packed A strip (kc x MR) times a B panel of kc rows of NR floats that
   * start at {@code bOff}, one row every {@code bStep} floats (NR when packed, ldb when read in
   * place).
   */
  private static void micro(
      int kc,
      float[] ap,
      float[] bp,
      int bOff,
      int bStep,
      float[] c,
      int cIdx,
      int ldc,
      int mr,
      int nr,
      boolean overwrite,
      float[] tile) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    for (int p = 0, ai = 0, bi = bOff; p < kc; p++, ai += MR, bi += bStep) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
      FloatVector x0 = FloatVector.broadcast(S, ap[ai + 0]);
      c00 = x0.fma(b0, c00);
      c01 = x0.fma(b1, c01);
      FloatVector x1 = FloatVector.broadcast(S, ap[ai + 1]);
      c10 = x1.fma(b0, c10);
      c11 = x1.fma(b1, c11);
      FloatVector x2 = FloatVector.broadcast(S, ap[ai + 2]);
      c20 = x2.fma(b0, c20);
      c21 = x2.fma(b1, c21);
      FloatVector x3 = FloatVector.broadcast(S, ap[ai + 3]);
      c30 = x3.fma(b0, c30);
      c31 = x3.fma(b1, c31);
    }
    if (mr == MR && nr == NR) {
      store(c, cIdx + 0 * ldc, c00, c01, overwrite);
      store(c, cIdx + 1 * ldc, c10, c11, overwrite);
      store(c, cIdx + 2 * ldc, c20, c21, overwrite);
      store(c, cIdx + 3 * ldc, c30, c31, overwrite);
      return;
    }
    c00.intoArray(tile, 0 * NR);
    c01.intoArray(tile, 0 * NR + L);
    c10.intoArray(tile, 1 * NR);
    c11.intoArray(tile, 1 * NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    for (int r = 0; r < mr; r++) {
      int row = cIdx + r * ldc;
      if (overwrite) {
        System.arraycopy(tile, r * NR, c, row, nr);
      } else {
        for (int j = 0; j < nr; j++) c[row + j] += tile[r * NR + j];
      }
    }
  }

  /**
   * {@link #micro} for a full strip of MR rows of row-major op(A) read in place: row {@code r},
   * depth {@code p} at {@code a[aRow + r * lda + p]}.
   */
  private static void microRowsA(
      int kc,
      float[] a,
      int aRow,
      int lda,
      float[] bp,
      int bOff,
      int bStep,
      float[] c,
      int cIdx,
      int ldc,
      int nr,
      boolean overwrite,
      float[] tile) {
    int mr = MR;
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    for (int p = 0, ai = aRow, bi = bOff; p < kc; p++, ai++, bi += bStep) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
      FloatVector x0 = FloatVector.broadcast(S, a[ai]);
      c00 = x0.fma(b0, c00);
      c01 = x0.fma(b1, c01);
      FloatVector x1 = FloatVector.broadcast(S, a[ai + lda]);
      c10 = x1.fma(b0, c10);
      c11 = x1.fma(b1, c11);
      FloatVector x2 = FloatVector.broadcast(S, a[ai + 2 * lda]);
      c20 = x2.fma(b0, c20);
      c21 = x2.fma(b1, c21);
      FloatVector x3 = FloatVector.broadcast(S, a[ai + 3 * lda]);
      c30 = x3.fma(b0, c30);
      c31 = x3.fma(b1, c31);
    }
    if (mr == MR && nr == NR) {
      store(c, cIdx + 0 * ldc, c00, c01, overwrite);
      store(c, cIdx + 1 * ldc, c10, c11, overwrite);
      store(c, cIdx + 2 * ldc, c20, c21, overwrite);
      store(c, cIdx + 3 * ldc, c30, c31, overwrite);
      return;
    }
    c00.intoArray(tile, 0 * NR);
    c01.intoArray(tile, 0 * NR + L);
    c10.intoArray(tile, 1 * NR);
    c11.intoArray(tile, 1 * NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    for (int r = 0; r < mr; r++) {
      int row = cIdx + r * ldc;
      if (overwrite) {
        System.arraycopy(tile, r * NR, c, row, nr);
      } else {
        for (int j = 0; j < nr; j++) c[row + j] += tile[r * NR + j];
      }
    }
  }

  private static void store(float[] c, int idx, FloatVector v0, FloatVector v1, boolean overwrite) {
    if (overwrite) {
      v0.intoArray(c, idx);
      v1.intoArray(c, idx + L);
    } else {
      FloatVector.fromArray(S, c, idx).add(v0).intoArray(c, idx);
      FloatVector.fromArray(S, c, idx + L).add(v1).intoArray(c, idx + L);
    }
  }

  private static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }
}
