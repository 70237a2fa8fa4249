package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A direct float32 convolution forward pass for few output channels, on channels-last data, one
 * group: {@code y [batch, out..., O] = conv(x [batch, in..., C], w [kernel..., C, O])} with input
 * channels along the vector lanes and one horizontal sum per output value.
 *
 * <p><b>Why.</b> {@link DirectConvF32} puts output channels along the lanes, so with {@code O = 3}
 * (the input gradient of a first layer, computed as a convolution of {@code dy} whose outputs are
 * the image's 3 channels) 13 of 16 lanes multiply padding. Here every lane works whenever {@code C}
 * is a multiple of the vector length (32 channels of {@code dy}), at the price of reducing each
 * accumulator across its lanes once per output value, after {@code kernelVolume * C / L} FMAs.
 *
 * <p><b>Layout.</b> The input rows a block of output lines reads are copied by {@link LineBlock}
 * with each position's channels padded with zeros to whole vectors, so a window is a fixed list of
 * whole vectors at fixed offsets from its start (per kernel line, one run of {@code k2} positions
 * at dilation 1). The filter is repacked once per call as {@code [O'][kernel][C']} (output channels
 * rounded up to a multiple of {@link #CH}, input channels to whole vectors, zeros in the padding),
 * so each output channel's weights are the window's vectors in the same order.
 *
 * <p><b>Micro-kernel.</b> A tile of {@link #PX} consecutive output pixels by {@link #CH} output
 * channels keeps 12 accumulators; per vector of the window it loads the pixels' input vectors and
 * the channels' weight vectors and issues 12 FMAs, in one counted loop over the window's vector
 * offsets. It then sums each accumulator's lanes into {@code y} (through a small scratch at the end
 * of a line or past the last channel: those pixels and channels are computed from padding and
 * dropped). C2 keeps the tile's 19 live vectors unboxed (the allocation per call stays constant;
 * check it after changing the tile).
 *
 * <p><b>Threads and determinism.</b> Output lines split across {@link CpuParallel}; each writes
 * only its own outputs, so every element of {@code y} is written exactly once, by the same
 * arithmetic whatever the split: the result does not depend on the thread count. The lane sum is a
 * fixed tree ({@link #treeSum}), not {@code reduceLanes(ADD)}, whose order the Vector API leaves
 * open: C2's intrinsic and the Java fallback that runs before it differ in the last bit, so the
 * same call could give two results in one run.
 *
 * <p><b>Accuracy.</b> Each output is a float sum of its {@code kernelVolume * C} products, in FMA
 * lanes then a tree across lanes: at most about {@code K * 2^-24 * sum_k |x_k| |w_k|} from the
 * exact sum, as for the im2col + gemm path.
 */
final class NarrowConvF32 {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Output pixels per tile. */
  static final int PX = 4;

  /** Output channels per tile. */
  static final int CH = 3;

  /**
   * Floats of one gathered input row times the lines of a block: 16 KiB, so that a block's rows
   * ({@code lines + kernel - 1} of them at stride 1) stay in L1. 4 lines of the first layer's
   * {@code dy} (32 positions of 32 channels).
   */
  private static final int BLOCK_FLOATS = 4096;

  /** Each thread's gathered input rows. */
  private static final FloatScratch ROWS = new FloatScratch();

  /** The calling thread's packed filter, which the pool's threads read during the call. */
  private static final FloatScratch FILTER = new FloatScratch();

  private NarrowConvF32() {}

  /**
   * Whether this kernel should compute {@code g} with {@code outChannels}, rather than {@link
   * DirectConvF32}: one group, and fewer vector FMAs ({@link #cheaperThanDirect}).
   */
  static boolean handles(ConvGeometry g, int outChannels) {
    return g.groups() == 1 && outChannels > 0 && cheaperThanDirect(g.channels(), outChannels);
  }

  /**
   * Whether {@code c} input by {@code o} output channels take fewer vector FMAs per tap and output
   * pixel here, {@code ceil(c / L) * roundUp(o, CH)} plus about one for the lane sums, than in
   * {@link DirectConvF32}, {@code c * ceil(o / L)}. For 32 channels of {@code dy} into 3 image
   * channels that is 7 against 32 (3x faster measured); for 64 into 32, 133 against 128.
   */
  static boolean cheaperThanDirect(int c, int o) {
    long narrow = (long) ceilDiv(c, L) * roundUp(o, CH) + 1;
    long direct = (long) c * ceilDiv(o, L);
    return narrow < direct;
  }

  /** {@code y [batch, out..., outChannels] = conv(x, w)}; writes every element of {@code y}. */
  static void convolve(ConvGeometry g, int outChannels, float[] x, float[] w, float[] y) {
    ConvShape3d s = new ConvShape3d(g);
    int cs = roundUp(s.channels, L);
    LineBlock blocks = LineBlock.of(s, cs, Math.max(1, BLOCK_FLOATS / Math.max(1, s.in2 * cs)), PX);
    Plan p = Plan.of(blocks, outChannels);
    float[] packed = packFilter(p, w);
    long work = (long) s.out2 * roundUp(outChannels, CH) * s.kernelVolume * cs;
    CpuParallel.parallelFor(
        blocks.lines(),
        CpuParallel.grainFor(work),
        (lo, hi) -> outputLines(p, x, packed, y, lo, hi));
  }

  /**
   * The layout of one call: the window of a pixel is the whole vectors at {@code vectorOffsets}
   * from its start; the packed filter holds {@code perChannel = taps * cs} floats per output
   * channel, in the same order.
   */
  private record Plan(LineBlock blocks, int outChannels, int[] vectorOffsets, int perChannel) {
    static Plan of(LineBlock blocks, int outChannels) {
      ConvShape3d s = blocks.s();
      int cs = blocks.cs();
      int[] offsets = new int[s.kernelVolume * cs / L];
      for (int j0 = 0, i = 0; j0 < s.k0; j0++) {
        for (int j1 = 0; j1 < s.k1; j1++) {
          for (int j2 = 0; j2 < s.k2; j2++) {
            for (int v = 0; v < cs; v += L, i++) {
              offsets[i] = blocks.tapOffset(j0, j1, j2) + v;
            }
          }
        }
      }
      return new Plan(blocks, outChannels, offsets, s.kernelVolume * cs);
    }
  }

  /**
   * The filter {@code [taps][C][O]} as {@code [O'][taps][cs]}: output channels rounded up to a
   * multiple of {@link #CH}, input channels to {@code cs}, zeros in the padding.
   */
  private static float[] packFilter(Plan p, float[] w) {
    ConvShape3d s = p.blocks.s();
    int c = s.channels;
    int o = p.outChannels;
    int cs = p.blocks.cs();
    float[] packed = FILTER.zeroed(roundUp(o, CH) * p.perChannel);
    for (int co = 0; co < o; co++) {
      for (int tap = 0; tap < s.kernelVolume; tap++) {
        for (int ci = 0; ci < c; ci++) {
          packed[co * p.perChannel + tap * cs + ci] = w[(tap * c + ci) * o + co];
        }
      }
    }
    return packed;
  }

  /** Computes output lines {@code [lo, hi)}, in blocks of {@link LineBlock}. */
  private static void outputLines(Plan p, float[] x, float[] w, float[] y, int lo, int hi) {
    LineBlock blocks = p.blocks;
    int pixels = blocks.s().out2;
    int o = p.outChannels;
    float[] xs = ROWS.zeroed(blocks.length());
    float[] sums = new float[PX * CH];
    float[] lanes = new float[PX * CH * L];
    for (int r = lo, end; r < hi; r = end) {
      end = blocks.blockEnd(r, hi);
      blocks.gather(x, r, end, xs);
      for (int line = r; line < end; line++) {
        int lineBase = (line - r) * blocks.lineStep();
        for (int t = 0; t < pixels; t += PX) {
          int xBase = lineBase + t * blocks.pixelStep();
          int yPixel = (line * pixels + t) * o;
          for (int co = 0; co < o; co += CH) {
            boolean full = t + PX <= pixels && co + CH <= o;
            tile(
                xs,
                xBase,
                blocks.pixelStep(),
                p,
                w,
                co * p.perChannel,
                full ? y : sums,
                full ? yPixel + co : 0,
                full ? o : CH,
                lanes);
            if (!full) {
              for (int i = 0; i < Math.min(PX, pixels - t); i++) {
                for (int j = 0; j < Math.min(CH, o - co); j++) {
                  y[yPixel + i * o + co + j] = sums[i * CH + j];
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * The outputs of {@link #PX} pixels (windows {@code pixelStep} apart from {@code xs[xBase]}) by
   * {@link #CH} channels (filters {@code p.perChannel} apart from {@code w[wBase]}): pixel {@code
   * i}, channel {@code j} into {@code dst[dstIdx + i * ldDst + j]}.
   */
  private static void tile(
      float[] xs,
      int xBase,
      int pixelStep,
      Plan p,
      float[] w,
      int wBase,
      float[] dst,
      int dstIdx,
      int ldDst,
      float[] lanes) {
    int wStride = p.perChannel;
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = FloatVector.zero(S);
    FloatVector a02 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a11 = FloatVector.zero(S);
    FloatVector a12 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a21 = FloatVector.zero(S);
    FloatVector a22 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    FloatVector a31 = FloatVector.zero(S);
    FloatVector a32 = FloatVector.zero(S);
    int[] vectorOffsets = p.vectorOffsets;
    for (int v = 0, wr = wBase; v < vectorOffsets.length; v++, wr += L) {
      int xr = xBase + vectorOffsets[v];
      FloatVector w0 = FloatVector.fromArray(S, w, wr);
      FloatVector w1 = FloatVector.fromArray(S, w, wr + wStride);
      FloatVector w2 = FloatVector.fromArray(S, w, wr + 2 * wStride);
      FloatVector x0 = FloatVector.fromArray(S, xs, xr);
      a00 = x0.fma(w0, a00);
      a01 = x0.fma(w1, a01);
      a02 = x0.fma(w2, a02);
      FloatVector x1 = FloatVector.fromArray(S, xs, xr + pixelStep);
      a10 = x1.fma(w0, a10);
      a11 = x1.fma(w1, a11);
      a12 = x1.fma(w2, a12);
      FloatVector x2 = FloatVector.fromArray(S, xs, xr + 2 * pixelStep);
      a20 = x2.fma(w0, a20);
      a21 = x2.fma(w1, a21);
      a22 = x2.fma(w2, a22);
      FloatVector x3 = FloatVector.fromArray(S, xs, xr + 3 * pixelStep);
      a30 = x3.fma(w0, a30);
      a31 = x3.fma(w1, a31);
      a32 = x3.fma(w2, a32);
    }
    a00.intoArray(lanes, 0 * L);
    a01.intoArray(lanes, 1 * L);
    a02.intoArray(lanes, 2 * L);
    a10.intoArray(lanes, 3 * L);
    a11.intoArray(lanes, 4 * L);
    a12.intoArray(lanes, 5 * L);
    a20.intoArray(lanes, 6 * L);
    a21.intoArray(lanes, 7 * L);
    a22.intoArray(lanes, 8 * L);
    a30.intoArray(lanes, 9 * L);
    a31.intoArray(lanes, 10 * L);
    a32.intoArray(lanes, 11 * L);
    dst[dstIdx] = treeSum(lanes, 0 * L);
    dst[dstIdx + 1] = treeSum(lanes, 1 * L);
    dst[dstIdx + 2] = treeSum(lanes, 2 * L);
    dst[dstIdx + ldDst] = treeSum(lanes, 3 * L);
    dst[dstIdx + ldDst + 1] = treeSum(lanes, 4 * L);
    dst[dstIdx + ldDst + 2] = treeSum(lanes, 5 * L);
    dst[dstIdx + 2 * ldDst] = treeSum(lanes, 6 * L);
    dst[dstIdx + 2 * ldDst + 1] = treeSum(lanes, 7 * L);
    dst[dstIdx + 2 * ldDst + 2] = treeSum(lanes, 8 * L);
    dst[dstIdx + 3 * ldDst] = treeSum(lanes, 9 * L);
    dst[dstIdx + 3 * ldDst + 1] = treeSum(lanes, 10 * L);
    dst[dstIdx + 3 * ldDst + 2] = treeSum(lanes, 11 * L);
  }

  /**
   * The sum of the {@code L} floats at {@code lanes[off]} (an accumulator's lanes) by a fixed
   * pairwise tree: lane {@code i} adds lane {@code i + L/2}, then {@code i + L/4}, ..., down to
   * lane 0. Plain float adds, so the sum is the same bits in every compilation state (unlike {@code
   * reduceLanes(ADD)}). The tile stores its accumulators and sums them here, in scalar code: a tree
   * of vector rotations was as exact, but C2 then boxed every accumulator it passed (12 MB
   * allocated per first-layer input gradient).
   */
  static float treeSum(float[] lanes, int off) {
    for (int h = L / 2; h >= 1; h /= 2) {
      for (int i = 0; i < h; i++) {
        lanes[off + i] += lanes[off + i + h];
      }
    }
    return lanes[off];
  }

  /** {@link #treeSum} of a vector's lanes; for tests. */
  static float sumLanes(FloatVector v) {
    float[] lanes = new float[L];
    v.intoArray(lanes, 0);
    return treeSum(lanes, 0);
  }

  private static int roundUp(int v, int multiple) {
    return (v + multiple - 1) / multiple * multiple;
  }

  private static int ceilDiv(int v, int d) {
    return (v + d - 1) / d;
  }
}
