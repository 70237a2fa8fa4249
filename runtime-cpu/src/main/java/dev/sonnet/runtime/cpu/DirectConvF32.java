package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A direct (implicit-GEMM) float32 convolution forward pass on channels-last data, one group: the
 * product {@code y [M, O] = cols [M, K] @ w [K, O]} of {@code im2col} + {@code gemm}, with each row
 * of {@code cols} read in place from a small per-thread copy of the input lines it needs ({@link
 * DirectConvLayout}) instead of a materialized column matrix.
 *
 * <p><b>Why.</b> A first layer ({@code C = 3}, 3x3: {@code K = 27}) does only 27 multiply-adds per
 * output value, so unfolding, which writes and rereads {@code K} floats per output pixel (a 7 MB
 * matrix for a batch of 64 32x32 images), costs more than the product itself. Deeper windows
 * amortize the unfolding; past {@link #MAX_DEPTH} taps the blocked gemm can win, and {@link
 * #handles} declines.
 *
 * <p><b>Micro-kernel.</b> Output channels lie along vector lanes. A tile of {@link #PIXELS}
 * consecutive pixels of one output line by a block of two vectors of channels (one vector for a
 * last block of at most one vector) lives in 16 (8) vector registers; per tap it loads the block's
 * packed filter row and, per pixel, broadcasts one input value and issues one FMA per vector. The
 * taps of a window are one counted loop (per run; one run at dilation 1) whose indices move at
 * constant strides, so C2 checks bounds once per tile, not per access. Tiles at the end of a line
 * or at the last channels store through a small scratch tile. Eight pixels rather than {@link
 * VectorGemmF32}'s four rows: per tap the loop overhead and the filter loads are shared by 16 FMAs,
 * measured 5-10% faster (mid layer, K = 1152); this method stays small enough that C2 keeps its
 * vectors unboxed (check {@code -prof gc} in ConvBench after changing it: B/op must not grow).
 *
 * <p><b>Threads.</b> Output lines split across {@link CpuParallel}; each writes only its own
 * outputs, so every element of {@code y} is written exactly once.
 *
 * <p><b>Accuracy.</b> Each output accumulates the same {@code K} products as the im2col + gemm path
 * (padding as zero products), in float with FMA, in the packed tap order; the two differ by
 * rounding only, at most about {@code K * 2^-24 * sum_k |x_k| |w_k|}. That path with the scalar
 * kernels ({@code im2col} and {@link ScalarGemm}), which the scalar backend runs, is this kernel's
 * reference.
 */
final class DirectConvF32 {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Output pixels per register tile. */
  static final int PIXELS = 8;

  /**
   * Most taps per window ({@code kernelVolume * C}) for which this kernel is used: 9 x 128, a 3x3
   * kernel over 128 channels. Up to there it measured (one thread, 3x3 SAME) 1.4x (K = 1152, 16x16
   * images) to 4.4x (K = 9) faster than im2col + gemm. Deeper, it still wins on wide lines (1.3x at
   * K = 1728 on 8x8, 1.1x at K = 2304 on 16x16) but loses on narrow ones (0.74x at K = 2304 on 4x4,
   * 0.85x at K = 4608 on 8x8): there the gemm's depth blocking keeps its filter panel in L1 while
   * this kernel streams a {@code K x 2L} filter block (over 144 KiB) from L2 for every tile, and a
   * line shorter than a tile wastes part of it.
   */
  static final int MAX_DEPTH = 1152;

  /**
   * Largest packed filter (floats, 256 KiB) kept per calling thread between calls; a larger one is
   * allocated per call, where it is small next to the call's work.
   */
  static final int MAX_KEPT_FILTER = 1 << 16;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private DirectConvF32() {}

  /**
   * Whether this kernel computes {@code g} and is expected to beat im2col + gemm: one group and at
   * most {@link #MAX_DEPTH} taps per window.
   */
  static boolean handles(ConvGeometry g, int outChannels) {
    return g.groups() == 1
        && outChannels > 0
        && (long) g.kernelVolume() * g.channels() <= MAX_DEPTH;
  }

  /**
   * {@code y [batch, out..., outChannels] = conv(x [batch, in..., C], w [kernel..., C,
   * outChannels])}; writes every element of {@code y}.
   */
  static void convolve(ConvGeometry g, int outChannels, float[] x, float[] w, float[] y) {
    convolve(g, outChannels, x, w, null, false, y);
  }

  /**
   * {@link #convolve(ConvGeometry, int, float[], float[], float[])}, then each output line, while
   * it is in L1, gets {@code + bias[channel]} (null: none) and, when {@code relu}, {@code max(.,
   * 0)}: the vector bias add and ReLU kernels' float operations, so bit for bit those passes.
   */
  static void convolve(
      ConvGeometry g,
      int outChannels,
      float[] x,
      float[] w,
      float[] bias,
      boolean relu,
      float[] y) {
    run(g, outChannels, x, w, bias, relu, false, y);
  }

  /**
   * The convolution of {@code g} (then bias and ReLU), split across the pool by output lines, or by
   * pairs of output lines pooled into {@code out} when {@code pool}.
   */
  private static void run(
      ConvGeometry g,
      int outChannels,
      float[] x,
      float[] w,
      float[] bias,
      boolean relu,
      boolean pool,
      float[] out) {
    DirectConvLayout layout = new DirectConvLayout(new ConvShape3d(g), outChannels, L, PIXELS);
    ConvShape3d s = layout.s;
    float[] packed = SCRATCH.get().filter(layout.packedLength());
    layout.packFilter(w, packed);
    GemmEpilogueKernels.F32 epilogue =
        bias != null || relu ? new GemmEpilogueKernels.F32(bias, relu, null) : null;
    int lines = s.batch * s.out0 * (pool ? s.out1 / 2 : s.out1);
    long work = (pool ? 2L : 1L) * s.out2 * layout.filterLength();
    CpuParallel.parallelFor(
        lines,
        CpuParallel.grainFor(work),
        (lo, hi) -> lines(layout, x, packed, out, lo, hi, epilogue, pool));
  }

  /** Per-thread scratch: gathered input lines and what each slot holds, a filter, an edge tile. */
  private static final class Scratch {
    float[] lines = new float[0];
    long[] slotKeys = new long[0];
    float[] filter = new float[0];
    final float[] tile = new float[PIXELS * 2 * L];
    float[] pair = new float[0];

    /** Two output lines of the pooled kernel. */
    float[] pair(int length) {
      if (pair.length < length) {
        pair = new float[length];
      }
      return pair;
    }

    /**
     * The calling thread's array for a packed filter, which the pool's threads read during the
     * call; kept for the next call up to {@link #MAX_KEPT_FILTER} floats, larger ones are allocated
     * per call.
     */
    float[] filter(int length) {
      if (length > MAX_KEPT_FILTER) {
        return new float[length];
      }
      if (filter.length < length) {
        filter = new float[length];
      }
      return filter;
    }

    void ensure(DirectConvLayout p) {
      if (lines.length < p.scratchLength()) {
        lines = new float[p.scratchLength()];
      }
      if (slotKeys.length < p.slots) {
        slotKeys = new long[p.slots];
      }
    }
  }

  /**
   * Computes output lines {@code [lo, hi)} into {@code out} (line {@code r} is {@code (n, o0, o1)}
   * flattened), each finished by {@code epilogue} (null: none; bias and ReLU, {@link
   * VectorEpilogueRows}, the GEMM's own epilogue) as soon as it is written, while it is in L1; when
   * {@code pool}, pooled lines instead: line {@code q} pools output lines {@code 2q} and {@code 2q
   * + 1}, computed into a per-thread pair of lines.
   */
  private static void lines(
      DirectConvLayout p,
      float[] x,
      float[] w,
      float[] out,
      int lo,
      int hi,
      GemmEpilogueKernels.F32 epilogue,
      boolean pool) {
    Scratch scratch = SCRATCH.get();
    scratch.ensure(p);
    p.reset(scratch.lines, scratch.slotKeys);
    int o = p.outChannels;
    int lineLength = p.s.out2 * o;
    if (!pool) {
      for (int r = lo; r < hi; r++) {
        line(p, x, w, r, out, r * lineLength, epilogue, scratch);
      }
      return;
    }
    float[] pair = scratch.pair(2 * lineLength);
    int pooledLength = (p.s.out2 / 2) * o;
    for (int q = lo; q < hi; q++) {
      line(p, x, w, 2 * q, pair, 0, epilogue, scratch);
      line(p, x, w, 2 * q + 1, pair, lineLength, epilogue, scratch);
      MaxPoolPairs.pool(pair, 0, lineLength, p.s.out2 / 2, o, out, q * pooledLength);
    }
  }

  /**
   * Output line {@code r} (after its bias and ReLU) into {@code dst} from {@code dstBase}, in the
   * layout of a line of {@code y}.
   */
  private static void line(
      DirectConvLayout p,
      float[] x,
      float[] w,
      int r,
      float[] dst,
      int dstBase,
      GemmEpilogueKernels.F32 epilogue,
      Scratch scratch) {
    ConvShape3d s = p.s;
    float[] xs = scratch.lines;
    float[] tile = scratch.tile;
    int o = p.outChannels;
    int wBase = p.gather(x, r, xs, scratch.slotKeys) * p.filterLength();
    for (int ob = 0; ob < o; ob += 2 * L) {
      int bw = p.blockWidth(ob);
      int used = Math.min(bw, o - ob);
      for (int t = 0; t < s.out2; t += PIXELS) {
        int pixels = Math.min(PIXELS, s.out2 - t);
        boolean full = pixels == PIXELS && used == bw;
        float[] out = full ? dst : tile;
        int outIdx = full ? dstBase + t * o + ob : 0;
        int ldOut = full ? o : bw;
        if (bw == L) {
          tile1(xs, t * p.step, p, w, wBase, out, outIdx, ldOut);
        } else {
          tile2(xs, t * p.step, p, w, wBase, out, outIdx, ldOut);
        }
        if (!full) {
          for (int i = 0; i < pixels; i++) {
            System.arraycopy(tile, i * bw, dst, dstBase + (t + i) * o + ob, used);
          }
        }
      }
      wBase += p.k * bw;
    }
    if (epilogue != null) {
      VectorEpilogueRows.rowsF32(dst, dstBase, o, s.out2, 0, o, epilogue);
    }
  }

  /**
   * Whether {@link #convolvePooled} computes {@code g}: what {@link #handles} accepts, 2-d, not
   * pointwise, with an even number of output rows and columns (the 2x2 windows then tile the
   * output).
   */
  static boolean handlesPooled(ConvGeometry g, int outChannels) {
    return handles(g, outChannels)
        && g.spatialRank() == 2
        && !isPointwise(g)
        && g.outSpatial()[0] % 2 == 0
        && g.outSpatial()[1] % 2 == 0;
  }

  /**
   * A 1x1, stride-1, unpadded convolution: the op layer computes it as a product (GEMM, summing in
   * depth blocks), not with this kernel (one chain over all channels), so a pooled form of it here
   * would not have the unpooled op's bits.
   */
  private static boolean isPointwise(ConvGeometry g) {
    for (int d = 0; d < g.spatialRank(); d++) {
      if (g.kernel()[d] != 1 || g.stride()[d] != 1 || g.padBefore()[d] != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@link #convolve(ConvGeometry, int, float[], float[], float[], boolean, float[])} followed by a
   * 2x2, stride-2 max pooling, without writing the convolution's output: each pair of output lines
   * is computed into a per-thread buffer (in L1), then pooled into {@code pooled [batch, outH / 2,
   * outW / 2, O]}. Bit for bit the separate passes: the same lines, then {@link TiledMaxPool2x2}'s
   * maximum (window order, a later value replaces only where strictly greater).
   */
  static void convolvePooled(
      ConvGeometry g,
      int outChannels,
      float[] x,
      float[] w,
      float[] bias,
      boolean relu,
      float[] pooled) {
    run(g, outChannels, x, w, bias, relu, true, pooled);
  }

  /**
   * {@link #PIXELS} pixels by two vectors of channels: pixel {@code i}'s window starts at {@code
   * xs[x0 + i * step]}, the block's filter rows at {@code w[wBase]}; stores pixel {@code i} at
   * {@code dst[dstIdx + i * ldDst]}.
   */
  private static void tile2(
      float[] xs,
      int x0,
      DirectConvLayout p,
      float[] w,
      int wBase,
      float[] dst,
      int dstIdx,
      int ldDst) {
    int step = p.step;
    int run = p.run;
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a11 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a21 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    FloatVector a31 = FloatVector.zero(S);
    FloatVector a40 = FloatVector.zero(S);
    FloatVector a41 = FloatVector.zero(S);
    FloatVector a50 = FloatVector.zero(S);
    FloatVector a51 = FloatVector.zero(S);
    FloatVector a60 = FloatVector.zero(S);
    FloatVector a61 = FloatVector.zero(S);
    FloatVector a70 = FloatVector.zero(S);
    FloatVector a71 = FloatVector.zero(S);
    for (int r = 0, xr = x0, wr = wBase; r < p.runs; r++, xr += p.runStep, wr += run * 2 * L) {
      for (int q = 0; q < run; q++) {
        int xi = xr + q;
        int wi = wr + q * 2 * L;
        FloatVector b0 = FloatVector.fromArray(S, w, wi);
        FloatVector b1 = FloatVector.fromArray(S, w, wi + L);
        FloatVector v0 = FloatVector.broadcast(S, xs[xi]);
        a00 = v0.fma(b0, a00);
        a01 = v0.fma(b1, a01);
        FloatVector v1 = FloatVector.broadcast(S, xs[xi + step]);
        a10 = v1.fma(b0, a10);
        a11 = v1.fma(b1, a11);
        FloatVector v2 = FloatVector.broadcast(S, xs[xi + 2 * step]);
        a20 = v2.fma(b0, a20);
        a21 = v2.fma(b1, a21);
        FloatVector v3 = FloatVector.broadcast(S, xs[xi + 3 * step]);
        a30 = v3.fma(b0, a30);
        a31 = v3.fma(b1, a31);
        FloatVector v4 = FloatVector.broadcast(S, xs[xi + 4 * step]);
        a40 = v4.fma(b0, a40);
        a41 = v4.fma(b1, a41);
        FloatVector v5 = FloatVector.broadcast(S, xs[xi + 5 * step]);
        a50 = v5.fma(b0, a50);
        a51 = v5.fma(b1, a51);
        FloatVector v6 = FloatVector.broadcast(S, xs[xi + 6 * step]);
        a60 = v6.fma(b0, a60);
        a61 = v6.fma(b1, a61);
        FloatVector v7 = FloatVector.broadcast(S, xs[xi + 7 * step]);
        a70 = v7.fma(b0, a70);
        a71 = v7.fma(b1, a71);
      }
    }
    a00.intoArray(dst, dstIdx);
    a01.intoArray(dst, dstIdx + L);
    a10.intoArray(dst, dstIdx + ldDst);
    a11.intoArray(dst, dstIdx + ldDst + L);
    a20.intoArray(dst, dstIdx + 2 * ldDst);
    a21.intoArray(dst, dstIdx + 2 * ldDst + L);
    a30.intoArray(dst, dstIdx + 3 * ldDst);
    a31.intoArray(dst, dstIdx + 3 * ldDst + L);
    a40.intoArray(dst, dstIdx + 4 * ldDst);
    a41.intoArray(dst, dstIdx + 4 * ldDst + L);
    a50.intoArray(dst, dstIdx + 5 * ldDst);
    a51.intoArray(dst, dstIdx + 5 * ldDst + L);
    a60.intoArray(dst, dstIdx + 6 * ldDst);
    a61.intoArray(dst, dstIdx + 6 * ldDst + L);
    a70.intoArray(dst, dstIdx + 7 * ldDst);
    a71.intoArray(dst, dstIdx + 7 * ldDst + L);
  }

  /** As {@link #tile2} for one vector of channels. */
  private static void tile1(
      float[] xs,
      int x0,
      DirectConvLayout p,
      float[] w,
      int wBase,
      float[] dst,
      int dstIdx,
      int ldDst) {
    int step = p.step;
    int run = p.run;
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = FloatVector.zero(S);
    FloatVector a2 = FloatVector.zero(S);
    FloatVector a3 = FloatVector.zero(S);
    FloatVector a4 = FloatVector.zero(S);
    FloatVector a5 = FloatVector.zero(S);
    FloatVector a6 = FloatVector.zero(S);
    FloatVector a7 = FloatVector.zero(S);
    for (int r = 0, xr = x0, wr = wBase; r < p.runs; r++, xr += p.runStep, wr += run * L) {
      for (int q = 0; q < run; q++) {
        int xi = xr + q;
        FloatVector b = FloatVector.fromArray(S, w, wr + q * L);
        a0 = FloatVector.broadcast(S, xs[xi]).fma(b, a0);
        a1 = FloatVector.broadcast(S, xs[xi + step]).fma(b, a1);
        a2 = FloatVector.broadcast(S, xs[xi + 2 * step]).fma(b, a2);
        a3 = FloatVector.broadcast(S, xs[xi + 3 * step]).fma(b, a3);
        a4 = FloatVector.broadcast(S, xs[xi + 4 * step]).fma(b, a4);
        a5 = FloatVector.broadcast(S, xs[xi + 5 * step]).fma(b, a5);
        a6 = FloatVector.broadcast(S, xs[xi + 6 * step]).fma(b, a6);
        a7 = FloatVector.broadcast(S, xs[xi + 7 * step]).fma(b, a7);
      }
    }
    a0.intoArray(dst, dstIdx);
    a1.intoArray(dst, dstIdx + ldDst);
    a2.intoArray(dst, dstIdx + 2 * ldDst);
    a3.intoArray(dst, dstIdx + 3 * ldDst);
    a4.intoArray(dst, dstIdx + 4 * ldDst);
    a5.intoArray(dst, dstIdx + 5 * ldDst);
    a6.intoArray(dst, dstIdx + 6 * ldDst);
    a7.intoArray(dst, dstIdx + 7 * ldDst);
  }
}
