package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 filter gradient of a convolution on channels-last data, one group, without a column
 * matrix: {@code dw [K, O] = colsᵀ [K, M] @ dy [M, O]} with {@code K = kernelVolume * C} taps and
 * {@code M = batch * outVolume} output pixels, where row {@code m} of {@code cols} (the window of
 * output pixel {@code m}) is read in place from a few zero-padded input rows ({@link LineBlock})
 * instead of an unfolded matrix.
 *
 * <p><b>Why.</b> The im2col + gemm path writes and rereads {@code K} floats per output pixel (7 MB
 * for a first layer, batch 64, 3 channels, 32x32; 19 MB for 32 channels at 16x16) to produce an
 * output of only {@code K x O} floats (3.4 KB and 74 KB).
 *
 * <p><b>Blocks.</b> The output lines are taken in blocks of a few consecutive lines of one image
 * (about {@link #DY_BLOCK_FLOATS} floats of {@code dy}); a block's input rows are copied once, and
 * then every tile of {@code dw} adds the block's pixels to its sums while the rows and the block's
 * {@code dy} stay in L1.
 *
 * <p><b>Micro-kernel.</b> Output channels lie along vector lanes; the sums are kept in an
 * accumulator {@code [K'][O']} ({@code dw}'s row order, rows rounded up to whole tiles, channels to
 * whole vectors). A tile of 6 rows (taps) by two vectors of channels lives in 12 vector registers;
 * per pixel of the block it loads the pixel's two {@code dy} vectors and, per row, broadcasts the
 * input value at that tap of the pixel's window and issues one FMA per vector. It starts from, and
 * stores back to, the accumulator once per block. Six rows rather than {@link VectorGemmF32}'s
 * four: twelve independent FMA chains hide the FMA latency that eight leave exposed, measured 25%
 * faster on both benchmark layers (one thread), and C2 keeps this method's 15 live vectors unboxed
 * (the allocation per call stays constant; check it after changing a tile). The last rows use a
 * 4-row tile when at most 4 are left; a last block of one vector of channels uses an 8-row tile of
 * one vector. Rows past {@code K} read the window's first tap and are dropped. When {@code O} is
 * not a whole number of vectors, each block's {@code dy} rows are first copied into zero-padded
 * rows.
 *
 * <p><b>Threads and determinism.</b> The output lines split into parts, contiguous ranges of lines
 * whose number ({@link #partsFor}) depends only on the problem's size, never on the thread count:
 * up to {@link #MAX_PARTS}, each at least {@link #MIN_PART_BLOCKS} blocks long and within {@link
 * #PARTIALS_BUDGET}. Each part sums its lines in order into its own accumulator, the parts are
 * shared among the pool's threads (a thread may run several), and the accumulators are added in
 * part order. So the result is bit-identical for any thread count and any scheduling. A part costs
 * one extra pass to clear its accumulator and one to add it, small against the per-block load and
 * store of the accumulator that the part's blocks do anyway.
 *
 * <p><b>Accuracy.</b> Each {@code dw} element is a float FMA accumulation of its {@code M} products
 * split into a few ordered partial sums: like the im2col + gemm path it is within about {@code M *
 * 2^-24 * sum_m |x_m| |dy_m|} of the exact sum.
 */
final class DirectConvFilterGradF32 {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final int L2 = 2 * L;

  /**
   * Floats of {@code dy} (whole vectors per pixel) per block of output lines: 16 KiB, which with
   * the block's input rows stays in a 32-48 KiB L1. 4 lines of both benchmark layers; blocks of 8
   * lines were no faster, blocks of 1 line about 15% slower on the mid layer.
   */
  static final int DY_BLOCK_FLOATS = 4096;

  /**
   * Fewest output pixels per block, whatever {@link #DY_BLOCK_FLOATS} allows: each block loads and
   * stores the whole accumulator once, so it must carry enough products to pay for that. For 8x8
   * images of 256 channels, the 2 lines that {@link #DY_BLOCK_FLOATS} gives were 25% slower than
   * these 8.
   */
  static final int MIN_BLOCK_PIXELS = 64;

  /**
   * Largest accumulator ({@code K x O} rounded up, floats: 1 MiB, one core's L2 on the benchmark
   * machine) for which this kernel is used. Every block adds to all of it, so past the L2 it
   * streams from L3: at 2304 taps by 256 channels (2.4 MB, 8x8 images) this kernel measured 7%
   * slower than im2col + gemm, at 1152 by 128 (590 KB) 1.5x faster.
   */
  static final int MAX_ACCUMULATOR = 1 << 18;

  /**
   * Most parts the lines split into: as many threads as can share one call. 24 divides evenly among
   * 1, 2, 3, 4, 6, 8 and 12 threads, so the parts balance on common core counts.
   */
  static final int MAX_PARTS = 24;

  /**
   * Fewest blocks per part: a part clears and adds its accumulator once, against one load and one
   * store per block, so at eight blocks the parts add at most an eighth to the accumulator traffic
   * of their blocks (which carry at least {@link #MIN_BLOCK_PIXELS} products per element each).
   */
  static final int MIN_PART_BLOCKS = 8;

  /**
   * Most floats of all parts' accumulators together (16 MiB): past it, parts are fewer. Only the
   * largest accumulators (more than 2^22 / {@link #MAX_PARTS} floats, 700 KB) meet it.
   */
  static final int PARTIALS_BUDGET = 1 << 22;

  /** The calling thread's accumulators of its current call, one per part. */
  private static final FloatScratch PARTIALS = new FloatScratch();

  /** A part's gathered input rows. */
  private static final FloatScratch ROWS = new FloatScratch();

  /** A part's zero-padded {@code dy} rows, when {@code O} is not a whole number of vectors. */
  private static final FloatScratch DY_ROWS = new FloatScratch();

  private DirectConvFilterGradF32() {}

  /**
   * Whether this kernel computes the filter gradient of {@code g} and is expected to beat im2col +
   * gemm: one group (any stride, dilation, padding, 1 to 3 spatial dimensions) and an accumulator
   * of at most {@link #MAX_ACCUMULATOR} floats.
   */
  static boolean handles(ConvGeometry g, int outChannels) {
    return g.groups() == 1
        && outChannels > 0
        && (long) g.kernelVolume() * g.channels() * roundUp(outChannels, L) <= MAX_ACCUMULATOR;
  }

  /**
   * {@code dw [kernel..., C, outChannels]}, the gradient of {@code y = conv(x, w)} for {@code w},
   * from {@code x [batch, in..., C]} and {@code dy [batch, out..., outChannels]}; writes every
   * element of {@code dw}.
   */
  static void compute(ConvGeometry g, int outChannels, float[] x, float[] dy, float[] dw) {
    Plan p = Plan.of(new ConvShape3d(g), outChannels);
    int n = p.blocks.lines();
    int parts = partsFor(p, n);
    float[] acc = PARTIALS.get(parts * p.partLength());
    CpuParallel.parallelFor(
        parts,
        1,
        (lo, hi) -> {
          for (int part = lo; part < hi; part++) {
            int base = part * p.partLength();
            // Cleared by the thread that fills it, just before: in parallel and into its cache.
            Arrays.fill(acc, base, base + p.partLength(), 0f);
            accumulate(
                p,
                x,
                dy,
                (int) ((long) n * part / parts),
                (int) ((long) n * (part + 1) / parts),
                acc,
                base);
          }
        });
    int k = p.blocks.s().kernelVolume * p.blocks.s().channels;
    CpuParallel.parallelFor(
        k,
        CpuParallel.grainFor((long) parts * outChannels),
        (lo, hi) -> sumParts(p, acc, parts, lo, hi, dw));
  }

  /**
   * How many parts {@code n} output lines split into: a function of the size alone (this is what
   * makes the result independent of the thread count). As many as {@link #MAX_PARTS} allows,
   * provided each part gets at least {@link #MIN_PART_BLOCKS} blocks, enough lines to be worth a
   * thread ({@link CpuParallel#grainFor}), and all parts fit {@link #PARTIALS_BUDGET}.
   */
  private static int partsFor(Plan p, int n) {
    int grain = CpuParallel.grainFor((long) p.blocks.s().out2 * p.partLength());
    long minLines = Math.max(grain, (long) MIN_PART_BLOCKS * p.blocks.maxLines());
    long byWork = n / minLines;
    long byMemory = PARTIALS_BUDGET / Math.max(1, p.partLength());
    return (int) Math.max(1, Math.min(MAX_PARTS, Math.min(byWork, byMemory)));
  }

  /**
   * The layout of one call: {@code blocks} the gathered input; {@code ld} the accumulator's row
   * length ({@code O} rounded up to whole vectors); {@code rows2} and {@code rows1} the rows
   * covered by the tiles of two vectors (strips of 6, the last of 4 when at most 4 rows are left)
   * and of one vector (strips of 8); {@code offsets} where each of the accumulator's {@code max(
   * rows2, rows1)} rows ({@code K} in {@code dw}'s order, then padding) lies in a window.
   */
  private record Plan(
      LineBlock blocks, int outChannels, int ld, int rows2, int rows1, int[] offsets) {
    static Plan of(ConvShape3d s, int outChannels) {
      int ld = roundUp(outChannels, L);
      int pixels = Math.max(1, s.out2);
      int lines =
          Math.max(DY_BLOCK_FLOATS / (pixels * ld), (MIN_BLOCK_PIXELS + pixels - 1) / pixels);
      LineBlock blocks = LineBlock.of(s, s.channels, lines, 1);
      int c = s.channels;
      int k = s.kernelVolume * c;
      int rows2 = ld >= L2 ? k / 6 * 6 + (k % 6 == 0 ? 0 : k % 6 <= 4 ? 4 : 6) : 0;
      int rows1 = ld % L2 != 0 ? roundUp(k, 8) : 0;
      int[] offsets = new int[Math.max(rows2, rows1)];
      for (int j0 = 0, q = 0; j0 < s.k0; j0++) {
        for (int j1 = 0; j1 < s.k1; j1++) {
          for (int j2 = 0; j2 < s.k2; j2++) {
            for (int ci = 0; ci < c; ci++, q++) {
              offsets[q] = blocks.tapOffset(j0, j1, j2) + ci;
            }
          }
        }
      }
      return new Plan(blocks, outChannels, ld, rows2, rows1, offsets);
    }

    /** Floats of one part's accumulator. */
    int partLength() {
      return offsets.length * ld;
    }
  }

  /**
   * Adds the products of output lines {@code [lo, hi)} to the accumulator {@code [rows][ld]} at
   * {@code acc[accBase]}.
   */
  private static void accumulate(
      Plan p, float[] x, float[] dy, int lo, int hi, float[] acc, int accBase) {
    LineBlock blocks = p.blocks;
    int pixels = blocks.s().out2;
    int o = p.outChannels;
    boolean padded = o != p.ld;
    float[] xs = ROWS.zeroed(blocks.length());
    float[] dyRows = padded ? DY_ROWS.zeroed(blocks.maxLines() * pixels * p.ld) : dy;
    int ldDy = padded ? p.ld : o;
    for (int r = lo, end; r < hi; r = end) {
      end = blocks.blockEnd(r, hi);
      int count = end - r;
      blocks.gather(x, r, end, xs);
      int dyBase = 0;
      if (padded) {
        for (int t = 0; t < count * pixels; t++) {
          System.arraycopy(dy, (r * pixels + t) * o, dyRows, t * p.ld, o);
        }
      } else {
        dyBase = r * pixels * o;
      }
      for (int ob = 0; ob < p.ld; ob += L2) {
        int accIdx = accBase + ob;
        int dyIdx = dyBase + ob;
        if (p.ld - ob >= L2) {
          int q = 0;
          for (; q + 6 <= p.rows2; q += 6) {
            tile6x2(
                xs, blocks, count, p.offsets, q, dyRows, dyIdx, ldDy, acc, accIdx + q * p.ld, p.ld);
          }
          if (q < p.rows2) {
            tile4x2(
                xs, blocks, count, p.offsets, q, dyRows, dyIdx, ldDy, acc, accIdx + q * p.ld, p.ld);
          }
        } else {
          for (int q = 0; q < p.rows1; q += 8) {
            tile8x1(
                xs, blocks, count, p.offsets, q, dyRows, dyIdx, ldDy, acc, accIdx + q * p.ld, p.ld);
          }
        }
      }
    }
  }

  /**
   * Adds to {@code acc} rows {@code q..q+5}, two vectors from {@code accIdx} ({@code ldAcc} apart),
   * the products of the block's windows (line {@code i}, pixel {@code t} at {@code xs[i * lineStep
   * + t * pixelStep]}) at those rows' {@code offsets} with two vectors of {@code dy} (line {@code
   * i}, pixel {@code t} at {@code dy[dyIdx + (i * pixels + t) * ldDy]}).
   */
  private static void tile6x2(
      float[] xs,
      LineBlock blocks,
      int count,
      int[] offsets,
      int q,
      float[] dy,
      int dyIdx,
      int ldDy,
      float[] acc,
      int accIdx,
      int ldAcc) {
    int lineStep = blocks.lineStep();
    int pixelStep = blocks.pixelStep();
    int pixels = blocks.s().out2;
    int x0 = offsets[q];
    int x1 = offsets[q + 1];
    int x2 = offsets[q + 2];
    int x3 = offsets[q + 3];
    int x4 = offsets[q + 4];
    int x5 = offsets[q + 5];
    FloatVector a00 = FloatVector.fromArray(S, acc, accIdx);
    FloatVector a01 = FloatVector.fromArray(S, acc, accIdx + L);
    FloatVector a10 = FloatVector.fromArray(S, acc, accIdx + ldAcc);
    FloatVector a11 = FloatVector.fromArray(S, acc, accIdx + ldAcc + L);
    FloatVector a20 = FloatVector.fromArray(S, acc, accIdx + 2 * ldAcc);
    FloatVector a21 = FloatVector.fromArray(S, acc, accIdx + 2 * ldAcc + L);
    FloatVector a30 = FloatVector.fromArray(S, acc, accIdx + 3 * ldAcc);
    FloatVector a31 = FloatVector.fromArray(S, acc, accIdx + 3 * ldAcc + L);
    FloatVector a40 = FloatVector.fromArray(S, acc, accIdx + 4 * ldAcc);
    FloatVector a41 = FloatVector.fromArray(S, acc, accIdx + 4 * ldAcc + L);
    FloatVector a50 = FloatVector.fromArray(S, acc, accIdx + 5 * ldAcc);
    FloatVector a51 = FloatVector.fromArray(S, acc, accIdx + 5 * ldAcc + L);
    for (int i = 0, xl = 0, di = dyIdx; i < count; i++, xl += lineStep) {
      for (int t = 0, xi = xl; t < pixels; t++, xi += pixelStep, di += ldDy) {
        FloatVector b0 = FloatVector.fromArray(S, dy, di);
        FloatVector b1 = FloatVector.fromArray(S, dy, di + L);
        FloatVector v0 = FloatVector.broadcast(S, xs[xi + x0]);
        a00 = v0.fma(b0, a00);
        a01 = v0.fma(b1, a01);
        FloatVector v1 = FloatVector.broadcast(S, xs[xi + x1]);
        a10 = v1.fma(b0, a10);
        a11 = v1.fma(b1, a11);
        FloatVector v2 = FloatVector.broadcast(S, xs[xi + x2]);
        a20 = v2.fma(b0, a20);
        a21 = v2.fma(b1, a21);
        FloatVector v3 = FloatVector.broadcast(S, xs[xi + x3]);
        a30 = v3.fma(b0, a30);
        a31 = v3.fma(b1, a31);
        FloatVector v4 = FloatVector.broadcast(S, xs[xi + x4]);
        a40 = v4.fma(b0, a40);
        a41 = v4.fma(b1, a41);
        FloatVector v5 = FloatVector.broadcast(S, xs[xi + x5]);
        a50 = v5.fma(b0, a50);
        a51 = v5.fma(b1, a51);
      }
    }
    a00.intoArray(acc, accIdx);
    a01.intoArray(acc, accIdx + L);
    a10.intoArray(acc, accIdx + ldAcc);
    a11.intoArray(acc, accIdx + ldAcc + L);
    a20.intoArray(acc, accIdx + 2 * ldAcc);
    a21.intoArray(acc, accIdx + 2 * ldAcc + L);
    a30.intoArray(acc, accIdx + 3 * ldAcc);
    a31.intoArray(acc, accIdx + 3 * ldAcc + L);
    a40.intoArray(acc, accIdx + 4 * ldAcc);
    a41.intoArray(acc, accIdx + 4 * ldAcc + L);
    a50.intoArray(acc, accIdx + 5 * ldAcc);
    a51.intoArray(acc, accIdx + 5 * ldAcc + L);
  }

  /** As {@link #tile6x2} for rows {@code q..q+3}. */
  private static void tile4x2(
      float[] xs,
      LineBlock blocks,
      int count,
      int[] offsets,
      int q,
      float[] dy,
      int dyIdx,
      int ldDy,
      float[] acc,
      int accIdx,
      int ldAcc) {
    int lineStep = blocks.lineStep();
    int pixelStep = blocks.pixelStep();
    int pixels = blocks.s().out2;
    int x0 = offsets[q];
    int x1 = offsets[q + 1];
    int x2 = offsets[q + 2];
    int x3 = offsets[q + 3];
    FloatVector a00 = FloatVector.fromArray(S, acc, accIdx);
    FloatVector a01 = FloatVector.fromArray(S, acc, accIdx + L);
    FloatVector a10 = FloatVector.fromArray(S, acc, accIdx + ldAcc);
    FloatVector a11 = FloatVector.fromArray(S, acc, accIdx + ldAcc + L);
    FloatVector a20 = FloatVector.fromArray(S, acc, accIdx + 2 * ldAcc);
    FloatVector a21 = FloatVector.fromArray(S, acc, accIdx + 2 * ldAcc + L);
    FloatVector a30 = FloatVector.fromArray(S, acc, accIdx + 3 * ldAcc);
    FloatVector a31 = FloatVector.fromArray(S, acc, accIdx + 3 * ldAcc + L);
    for (int i = 0, xl = 0, di = dyIdx; i < count; i++, xl += lineStep) {
      for (int t = 0, xi = xl; t < pixels; t++, xi += pixelStep, di += ldDy) {
        FloatVector b0 = FloatVector.fromArray(S, dy, di);
        FloatVector b1 = FloatVector.fromArray(S, dy, di + L);
        FloatVector v0 = FloatVector.broadcast(S, xs[xi + x0]);
        a00 = v0.fma(b0, a00);
        a01 = v0.fma(b1, a01);
        FloatVector v1 = FloatVector.broadcast(S, xs[xi + x1]);
        a10 = v1.fma(b0, a10);
        a11 = v1.fma(b1, a11);
        FloatVector v2 = FloatVector.broadcast(S, xs[xi + x2]);
        a20 = v2.fma(b0, a20);
        a21 = v2.fma(b1, a21);
        FloatVector v3 = FloatVector.broadcast(S, xs[xi + x3]);
        a30 = v3.fma(b0, a30);
        a31 = v3.fma(b1, a31);
      }
    }
    a00.intoArray(acc, accIdx);
    a01.intoArray(acc, accIdx + L);
    a10.intoArray(acc, accIdx + ldAcc);
    a11.intoArray(acc, accIdx + ldAcc + L);
    a20.intoArray(acc, accIdx + 2 * ldAcc);
    a21.intoArray(acc, accIdx + 2 * ldAcc + L);
    a30.intoArray(acc, accIdx + 3 * ldAcc);
    a31.intoArray(acc, accIdx + 3 * ldAcc + L);
  }

  /** As {@link #tile6x2} for rows {@code q..q+7} by one vector of {@code dy}. */
  private static void tile8x1(
      float[] xs,
      LineBlock blocks,
      int count,
      int[] offsets,
      int q,
      float[] dy,
      int dyIdx,
      int ldDy,
      float[] acc,
      int accIdx,
      int ldAcc) {
    int lineStep = blocks.lineStep();
    int pixelStep = blocks.pixelStep();
    int pixels = blocks.s().out2;
    int x0 = offsets[q];
    int x1 = offsets[q + 1];
    int x2 = offsets[q + 2];
    int x3 = offsets[q + 3];
    int x4 = offsets[q + 4];
    int x5 = offsets[q + 5];
    int x6 = offsets[q + 6];
    int x7 = offsets[q + 7];
    FloatVector a0 = FloatVector.fromArray(S, acc, accIdx);
    FloatVector a1 = FloatVector.fromArray(S, acc, accIdx + ldAcc);
    FloatVector a2 = FloatVector.fromArray(S, acc, accIdx + 2 * ldAcc);
    FloatVector a3 = FloatVector.fromArray(S, acc, accIdx + 3 * ldAcc);
    FloatVector a4 = FloatVector.fromArray(S, acc, accIdx + 4 * ldAcc);
    FloatVector a5 = FloatVector.fromArray(S, acc, accIdx + 5 * ldAcc);
    FloatVector a6 = FloatVector.fromArray(S, acc, accIdx + 6 * ldAcc);
    FloatVector a7 = FloatVector.fromArray(S, acc, accIdx + 7 * ldAcc);
    for (int i = 0, xl = 0, di = dyIdx; i < count; i++, xl += lineStep) {
      for (int t = 0, xi = xl; t < pixels; t++, xi += pixelStep, di += ldDy) {
        FloatVector b = FloatVector.fromArray(S, dy, di);
        a0 = FloatVector.broadcast(S, xs[xi + x0]).fma(b, a0);
        a1 = FloatVector.broadcast(S, xs[xi + x1]).fma(b, a1);
        a2 = FloatVector.broadcast(S, xs[xi + x2]).fma(b, a2);
        a3 = FloatVector.broadcast(S, xs[xi + x3]).fma(b, a3);
        a4 = FloatVector.broadcast(S, xs[xi + x4]).fma(b, a4);
        a5 = FloatVector.broadcast(S, xs[xi + x5]).fma(b, a5);
        a6 = FloatVector.broadcast(S, xs[xi + x6]).fma(b, a6);
        a7 = FloatVector.broadcast(S, xs[xi + x7]).fma(b, a7);
      }
    }
    a0.intoArray(acc, accIdx);
    a1.intoArray(acc, accIdx + ldAcc);
    a2.intoArray(acc, accIdx + 2 * ldAcc);
    a3.intoArray(acc, accIdx + 3 * ldAcc);
    a4.intoArray(acc, accIdx + 4 * ldAcc);
    a5.intoArray(acc, accIdx + 5 * ldAcc);
    a6.intoArray(acc, accIdx + 6 * ldAcc);
    a7.intoArray(acc, accIdx + 7 * ldAcc);
  }

  /**
   * Writes {@code dw} rows {@code [lo, hi)}: each the sum, in part order, of that row of the {@code
   * parts} accumulators in {@code acc}.
   */
  private static void sumParts(Plan p, float[] acc, int parts, int lo, int hi, float[] dw) {
    int o = p.outChannels;
    for (int q = lo; q < hi; q++) {
      for (int ob = 0; ob < o; ob += L) {
        int src = q * p.ld + ob;
        FloatVector sum = FloatVector.fromArray(S, acc, src);
        for (int part = 1; part < parts; part++) {
          sum = sum.add(FloatVector.fromArray(S, acc, src + part * p.partLength()));
        }
        sum.intoArray(dw, q * o + ob, S.indexInRange(ob, o));
      }
    }
  }

  private static int roundUp(int v, int multiple) {
    return (v + multiple - 1) / multiple * multiple;
  }
}
