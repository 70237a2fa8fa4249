package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float32 3x3, stride-1 convolution on channels-last images by Winograd's minimal filtering
 * algorithm F(2x2, 3x3): each 2x2 block of outputs ("tile") comes from a 4x4 input patch {@code d}
 * as {@code Aᵀ [Σ_c (G g Gᵀ) ⊙ (Bᵀ d B)] A}, with 16 multiplications per tile, channel and output
 * channel where the direct convolution does 36: 2.25x fewer.
 *
 * <pre>
 *        | 1  0 -1  0 |        |  1    0    0  |        | 1  1  1  0 |
 *   Bᵀ = | 0  1  1  0 |    G = | 1/2  1/2  1/2 |   Aᵀ = | 0  1 -1 -1 |
 *        | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
 *        | 0  1  0 -1 |        |  0    0    1  |
 * </pre>
 *
 * <p><b>Inputs.</b> The filter arrives already transformed, {@code u [16, C, O]} with {@code u[4i +
 * j, c, o] = (G g[., ., c, o] Gᵀ)[i, j]}: a loaded graph computes it once per variable value (the
 * inference optimizer's {@code winograd_filter} node) instead of once per call.
 *
 * <p><b>Schedule.</b> Tiles ({@code batch x ceil(outH/2) x ceil(outW/2)} of them) go in blocks of
 * {@link #blockTiles} to a thread. Per block: (1) the input transform writes {@code v [16, tiles,
 * C]} (each patch read straight from {@code x}, zero outside the image: padding), vectorized over
 * channels; (2) sixteen products {@code m[ξ] [tiles, O] = v[ξ] [tiles, C] @ u[ξ] [C, O]}, a
 * register tile of 4 tiles by 4 vectors of output channels (1 vector where {@code O} is not a
 * multiple of 4 vectors), accumulating over {@code c} in order with FMA; (3) the output transform,
 * vectorized over output channels, then {@code + bias} and ReLU ({@link VectorEpilogueRows}' float
 * operations), stored where the 2x2 tile lies inside the output. A block's {@code v} and {@code m}
 * stay in L2; each product's operands in L1.
 *
 * <p><b>Accuracy.</b> Not the direct convolution's bits: the same sum regrouped through the
 * transforms. Every coefficient is 0, ±1/2 or ±1 (exact in float), so by the usual forward error
 * analysis each output is within {@code (C + 8) · 2⁻²⁴} (2 roundings in the input transform, {@code
 * C} in the accumulation, 4 in the output transform, 1 for the bias, plus slack) times {@code M},
 * the same algorithm run on absolute values plus the bias ({@code |Aᵀ| [Σ_c |u| ⊙ (|Bᵀ| |d| |B|)]
 * |A| + |bias|}), of the exact result for the given {@code u}. Summing the absolute coefficients
 * that multiply each pair {@code |x| |w|} (at most 8 per axis) bounds {@code M} by {@code 64 C ·
 * max|x| · max|w|}, where the direct sum's magnitude is at most {@code 9 C · max|x| · max|w|}.
 * Inference uses it; training keeps the direct kernel, whose backward passes are the exact gradient
 * of what it computes.
 *
 * <p><b>Declines</b> ({@link #handles}): other kernels, strides, dilations, groups or ranks, fewer
 * than {@link #MIN_CHANNELS} input channels (a first layer: too little work per transform) or
 * output channels that are not whole vectors.
 */
final class WinogradConvF32 {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /**
   * Fewest input channels for which the transforms pay: with {@code C} channels a tile's input
   * transform (about 32 adds per channel) buys {@code 20 · C · O} saved multiply-adds; below 8 the
   * direct kernel (which reads each input value once per tap) measured faster.
   */
  static final int MIN_CHANNELS = 8;

  /** Register tile of the transformed products: rows (tiles). */
  private static final int ROWS = 4;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private WinogradConvF32() {}

  /** Whether this kernel computes {@code g} with {@code outChannels} outputs. */
  static boolean handles(ConvGeometry g, int outChannels) {
    if (g.spatialRank() != 2 || g.groups() != 1) {
      return false;
    }
    for (int a = 0; a < 2; a++) {
      if (g.kernel()[a] != 3 || g.stride()[a] != 1 || g.dilation()[a] != 1) {
        return false;
      }
    }
    return g.channels() >= MIN_CHANNELS && outChannels > 0 && outChannels % L == 0;
  }

  /**
   * Tiles per block: a multiple of {@link #ROWS} such that the block's {@code v} and {@code m}
   * ({@code 16 · tiles · (C + O)} floats) take at most 192 KiB, between 4 and 64.
   */
  static int blockTiles(int channels, int outChannels) {
    int t = (192 * 1024 / 4) / (16 * (channels + outChannels));
    return Math.max(ROWS, Math.min(64, t / ROWS * ROWS));
  }

  /**
   * {@code y [batch, outH, outW, O] = conv(x [batch, inH, inW, C], g)} with the filter as {@code u
   * [16, C, O]} (see the class comment), then {@code + bias} (null: none) and, when {@code relu},
   * {@code max(., 0)}; writes every element of {@code y}.
   */
  static void convolve(
      ConvGeometry geometry,
      int outChannels,
      float[] x,
      float[] u,
      float[] bias,
      boolean relu,
      float[] y) {
    convolve(geometry, outChannels, x, u, bias, relu, false, y);
  }

  /**
   * Whether {@link #convolve(ConvGeometry, int, float[], float[], float[], boolean, boolean,
   * float[])} pools {@code g}: what {@link #handles} accepts, with an even number of output rows
   * and columns, so that each 2x2 tile is one pooling window.
   */
  static boolean handlesPooled(ConvGeometry g, int outChannels) {
    return handles(g, outChannels) && g.outSpatial()[0] % 2 == 0 && g.outSpatial()[1] % 2 == 0;
  }

  /**
   * As {@link #convolve(ConvGeometry, int, float[], float[], float[], boolean, float[])}; when
   * {@code maxPool}, each tile's four outputs (after bias and ReLU) are max-pooled into one (the
   * comparisons of {@link MaxPoolPairs}, bit for bit a separate 2x2 stride-2 pooling) and {@code y}
   * is the pooled {@code [batch, outH / 2, outW / 2, O]}: the convolution's output is never
   * written.
   */
  static void convolve(
      ConvGeometry geometry,
      int outChannels,
      float[] x,
      float[] u,
      float[] bias,
      boolean relu,
      boolean maxPool,
      float[] y) {
    Plan p = new Plan(new ConvShape3d(geometry), outChannels, maxPool);
    int blocks = (p.tiles + p.blockTiles - 1) / p.blockTiles;
    long workPerBlock = 16L * p.blockTiles * p.c * p.o;
    CpuParallel.parallelFor(
        blocks,
        CpuParallel.grainFor(workPerBlock),
        (lo, hi) -> {
          Scratch s = SCRATCH.get();
          s.ensure(p);
          for (int b = lo; b < hi; b++) {
            int first = b * p.blockTiles;
            int count = Math.min(p.blockTiles, p.tiles - first);
            block(p, x, u, bias, relu, y, first, count, s);
          }
        });
  }

  /** Sizes and strides of one call, read in the loops. */
  static final class Plan {
    final int c;
    final int o;
    final int inH;
    final int inW;
    final int outH;
    final int outW;
    final int padTop;
    final int padLeft;
    final int tilesH;
    final int tilesW;
    final int tiles;
    final int blockTiles;
    final boolean maxPool;

    Plan(ConvShape3d s, int outChannels, boolean maxPool) {
      this.maxPool = maxPool;
      c = s.channels;
      o = outChannels;
      inH = s.in1;
      inW = s.in2;
      outH = s.out1;
      outW = s.out2;
      padTop = s.p1;
      padLeft = s.p2;
      tilesH = (outH + 1) / 2;
      tilesW = (outW + 1) / 2;
      tiles = s.batch * tilesH * tilesW;
      blockTiles = blockTiles(c, o);
    }
  }

  /**
   * Per-thread {@code v [16, blockTiles, C]} and {@code m [16, blockTiles, O]}, a patch's pixel
   * offsets and the scalar transform's temporaries.
   */
  private static final class Scratch {
    float[] v = new float[0];
    float[] m = new float[0];
    final int[] offsets = new int[16];
    final float[] columns = new float[16];

    void ensure(Plan p) {
      int vLen = 16 * p.blockTiles * p.c;
      int mLen = 16 * p.blockTiles * p.o;
      if (v.length < vLen) {
        v = new float[vLen];
      }
      if (m.length < mLen) {
        m = new float[mLen];
      }
    }
  }

  /** Tiles {@code [first, first + count)}: transform in, 16 products, transform out. */
  private static void block(
      Plan p,
      float[] x,
      float[] u,
      float[] bias,
      boolean relu,
      float[] y,
      int first,
      int count,
      Scratch s) {
    int tb = p.blockTiles;
    float[] v = s.v;
    float[] m = s.m;
    for (int t = 0; t < count; t++) {
      inputTile(p, x, first + t, v, t, s);
    }
    // Rows past count hold stale values: their products are computed and never stored.
    int rows = (count + ROWS - 1) / ROWS * ROWS;
    boolean wide = p.o % (4 * L) == 0;
    for (int xi = 0; xi < 16; xi++) {
      int vBase = xi * tb * p.c;
      int uBase = xi * p.c * p.o;
      int mBase = xi * tb * p.o;
      for (int r = 0; r < rows; r += ROWS) {
        if (wide) {
          for (int ob = 0; ob < p.o; ob += 4 * L) {
            product4x4(v, vBase + r * p.c, p.c, u, uBase + ob, p.o, m, mBase + r * p.o + ob);
          }
        } else {
          for (int ob = 0; ob < p.o; ob += L) {
            product4x1(v, vBase + r * p.c, p.c, u, uBase + ob, p.o, m, mBase + r * p.o + ob);
          }
        }
      }
    }
    for (int t = 0; t < count; t++) {
      outputTile(p, m, t, bias, relu, y, first + t);
    }
  }

  /**
   * {@code v[ξ, slot, .] = (Bᵀ d B)[ξ]} for tile {@code tile}'s patch {@code d} (4x4 pixels of C
   * channels, zero outside the image).
   */
  private static void inputTile(Plan p, float[] x, int tile, float[] v, int slot, Scratch s) {
    int perImage = p.tilesH * p.tilesW;
    int n = tile / perImage;
    int rem = tile - n * perImage;
    int ti = rem / p.tilesW;
    int tj = rem - ti * p.tilesW;
    int row0 = 2 * ti - p.padTop;
    int col0 = 2 * tj - p.padLeft;
    int c = p.c;
    // Offsets of the 16 patch pixels in x, -1 outside the image.
    int[] off = s.offsets;
    for (int a = 0; a < 4; a++) {
      int row = row0 + a;
      for (int b = 0; b < 4; b++) {
        int col = col0 + b;
        off[4 * a + b] =
            row >= 0 && row < p.inH && col >= 0 && col < p.inW
                ? ((n * p.inH + row) * p.inW + col) * c
                : -1;
      }
    }
    int stride = p.blockTiles * c; // between consecutive ξ in v
    int base = slot * c;
    int ch = 0;
    for (; ch + L <= c; ch += L) {
      inputVectors(x, off, ch, v, base + ch, stride);
    }
    for (; ch < c; ch++) {
      inputScalars(x, off, ch, v, base + ch, stride, s.columns);
    }
  }

  private static FloatVector load(float[] x, int off, int ch) {
    return off < 0 ? FloatVector.zero(S) : FloatVector.fromArray(S, x, off + ch);
  }

  /** The input transform of one vector of channels. */
  private static void inputVectors(float[] x, int[] off, int ch, float[] v, int dst, int stride) {
    // Columns: t[a][b] = (Bᵀ d)[a][b], per column b.
    FloatVector t00, t10, t20, t30, t01, t11, t21, t31, t02, t12, t22, t32, t03, t13, t23, t33;
    {
      FloatVector d0 = load(x, off[0], ch);
      FloatVector d1 = load(x, off[4], ch);
      FloatVector d2 = load(x, off[8], ch);
      FloatVector d3 = load(x, off[12], ch);
      t00 = d0.sub(d2);
      t10 = d1.add(d2);
      t20 = d2.sub(d1);
      t30 = d1.sub(d3);
    }
    {
      FloatVector d0 = load(x, off[1], ch);
      FloatVector d1 = load(x, off[5], ch);
      FloatVector d2 = load(x, off[9], ch);
      FloatVector d3 = load(x, off[13], ch);
      t01 = d0.sub(d2);
      t11 = d1.add(d2);
      t21 = d2.sub(d1);
      t31 = d1.sub(d3);
    }
    {
      FloatVector d0 = load(x, off[2], ch);
      FloatVector d1 = load(x, off[6], ch);
      FloatVector d2 = load(x, off[10], ch);
      FloatVector d3 = load(x, off[14], ch);
      t02 = d0.sub(d2);
      t12 = d1.add(d2);
      t22 = d2.sub(d1);
      t32 = d1.sub(d3);
    }
    {
      FloatVector d0 = load(x, off[3], ch);
      FloatVector d1 = load(x, off[7], ch);
      FloatVector d2 = load(x, off[11], ch);
      FloatVector d3 = load(x, off[15], ch);
      t03 = d0.sub(d2);
      t13 = d1.add(d2);
      t23 = d2.sub(d1);
      t33 = d1.sub(d3);
    }
    // Rows: v[a][.] = t[a][.] B.
    t00.sub(t02).intoArray(v, dst);
    t01.add(t02).intoArray(v, dst + stride);
    t02.sub(t01).intoArray(v, dst + 2 * stride);
    t01.sub(t03).intoArray(v, dst + 3 * stride);
    t10.sub(t12).intoArray(v, dst + 4 * stride);
    t11.add(t12).intoArray(v, dst + 5 * stride);
    t12.sub(t11).intoArray(v, dst + 6 * stride);
    t11.sub(t13).intoArray(v, dst + 7 * stride);
    t20.sub(t22).intoArray(v, dst + 8 * stride);
    t21.add(t22).intoArray(v, dst + 9 * stride);
    t22.sub(t21).intoArray(v, dst + 10 * stride);
    t21.sub(t23).intoArray(v, dst + 11 * stride);
    t30.sub(t32).intoArray(v, dst + 12 * stride);
    t31.add(t32).intoArray(v, dst + 13 * stride);
    t32.sub(t31).intoArray(v, dst + 14 * stride);
    t31.sub(t33).intoArray(v, dst + 15 * stride);
  }

  /** {@link #inputVectors} for one channel: the same float operations in the same order. */
  private static void inputScalars(
      float[] x, int[] off, int ch, float[] v, int dst, int stride, float[] t) {
    for (int b = 0; b < 4; b++) {
      float d0 = off[b] < 0 ? 0f : x[off[b] + ch];
      float d1 = off[4 + b] < 0 ? 0f : x[off[4 + b] + ch];
      float d2 = off[8 + b] < 0 ? 0f : x[off[8 + b] + ch];
      float d3 = off[12 + b] < 0 ? 0f : x[off[12 + b] + ch];
      t[b] = d0 - d2;
      t[4 + b] = d1 + d2;
      t[8 + b] = d2 - d1;
      t[12 + b] = d1 - d3;
    }
    for (int a = 0; a < 4; a++) {
      int r = 4 * a;
      v[dst + r * stride] = t[r] - t[r + 2];
      v[dst + (r + 1) * stride] = t[r + 1] + t[r + 2];
      v[dst + (r + 2) * stride] = t[r + 2] - t[r + 1];
      v[dst + (r + 3) * stride] = t[r + 1] - t[r + 3];
    }
  }

  /**
   * {@code m[4 rows, 4 vectors] = v[4 rows, k] @ u[k, 4 vectors]}: rows of {@code v} at {@code
   * vBase + r * k}, rows of {@code u} at {@code uBase + c * ldu}, rows of {@code m} at {@code mBase
   * + r * ldu}.
   */
  private static void product4x4(
      float[] v, int vBase, int k, float[] u, int uBase, int ldu, float[] m, int mBase) {
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = FloatVector.zero(S);
    FloatVector a02 = FloatVector.zero(S);
    FloatVector a03 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a11 = FloatVector.zero(S);
    FloatVector a12 = FloatVector.zero(S);
    FloatVector a13 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a21 = FloatVector.zero(S);
    FloatVector a22 = FloatVector.zero(S);
    FloatVector a23 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    FloatVector a31 = FloatVector.zero(S);
    FloatVector a32 = FloatVector.zero(S);
    FloatVector a33 = FloatVector.zero(S);
    for (int c = 0, ui = uBase; c < k; c++, ui += ldu) {
      FloatVector b0 = FloatVector.fromArray(S, u, ui);
      FloatVector b1 = FloatVector.fromArray(S, u, ui + L);
      FloatVector b2 = FloatVector.fromArray(S, u, ui + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, u, ui + 3 * L);
      FloatVector x0 = FloatVector.broadcast(S, v[vBase + c]);
      a00 = x0.fma(b0, a00);
      a01 = x0.fma(b1, a01);
      a02 = x0.fma(b2, a02);
      a03 = x0.fma(b3, a03);
      FloatVector x1 = FloatVector.broadcast(S, v[vBase + k + c]);
      a10 = x1.fma(b0, a10);
      a11 = x1.fma(b1, a11);
      a12 = x1.fma(b2, a12);
      a13 = x1.fma(b3, a13);
      FloatVector x2 = FloatVector.broadcast(S, v[vBase + 2 * k + c]);
      a20 = x2.fma(b0, a20);
      a21 = x2.fma(b1, a21);
      a22 = x2.fma(b2, a22);
      a23 = x2.fma(b3, a23);
      FloatVector x3 = FloatVector.broadcast(S, v[vBase + 3 * k + c]);
      a30 = x3.fma(b0, a30);
      a31 = x3.fma(b1, a31);
      a32 = x3.fma(b2, a32);
      a33 = x3.fma(b3, a33);
    }
    a00.intoArray(m, mBase);
    a01.intoArray(m, mBase + L);
    a02.intoArray(m, mBase + 2 * L);
    a03.intoArray(m, mBase + 3 * L);
    a10.intoArray(m, mBase + ldu);
    a11.intoArray(m, mBase + ldu + L);
    a12.intoArray(m, mBase + ldu + 2 * L);
    a13.intoArray(m, mBase + ldu + 3 * L);
    a20.intoArray(m, mBase + 2 * ldu);
    a21.intoArray(m, mBase + 2 * ldu + L);
    a22.intoArray(m, mBase + 2 * ldu + 2 * L);
    a23.intoArray(m, mBase + 2 * ldu + 3 * L);
    a30.intoArray(m, mBase + 3 * ldu);
    a31.intoArray(m, mBase + 3 * ldu + L);
    a32.intoArray(m, mBase + 3 * ldu + 2 * L);
    a33.intoArray(m, mBase + 3 * ldu + 3 * L);
  }

  /** As {@link #product4x4} for one vector of output channels. */
  private static void product4x1(
      float[] v, int vBase, int k, float[] u, int uBase, int ldu, float[] m, int mBase) {
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = FloatVector.zero(S);
    FloatVector a2 = FloatVector.zero(S);
    FloatVector a3 = FloatVector.zero(S);
    for (int c = 0, ui = uBase; c < k; c++, ui += ldu) {
      FloatVector b = FloatVector.fromArray(S, u, ui);
      a0 = FloatVector.broadcast(S, v[vBase + c]).fma(b, a0);
      a1 = FloatVector.broadcast(S, v[vBase + k + c]).fma(b, a1);
      a2 = FloatVector.broadcast(S, v[vBase + 2 * k + c]).fma(b, a2);
      a3 = FloatVector.broadcast(S, v[vBase + 3 * k + c]).fma(b, a3);
    }
    a0.intoArray(m, mBase);
    a1.intoArray(m, mBase + ldu);
    a2.intoArray(m, mBase + 2 * ldu);
    a3.intoArray(m, mBase + 3 * ldu);
  }

  /**
   * Tile {@code tile}'s outputs from {@code m[., slot, .]}: {@code Aᵀ m A}, then bias and ReLU,
   * stored where the 2x2 tile lies inside the output.
   */
  private static void outputTile(
      Plan p, float[] m, int slot, float[] bias, boolean relu, float[] y, int tile) {
    int perImage = p.tilesH * p.tilesW;
    int n = tile / perImage;
    int rem = tile - n * perImage;
    int ti = rem / p.tilesW;
    int tj = rem - ti * p.tilesW;
    int row = 2 * ti;
    int col = 2 * tj;
    int o = p.o;
    int y00 = ((n * p.outH + row) * p.outW + col) * o;
    boolean right = col + 1 < p.outW;
    boolean below = row + 1 < p.outH;
    int stride = p.blockTiles * o;
    int base = slot * o;
    if (p.maxPool) {
      int pooled = ((n * p.tilesH + ti) * p.tilesW + tj) * o;
      for (int oc = 0; oc < o; oc += L) {
        outputVectors(m, base + oc, stride, bias, oc, relu, y, pooled + oc, -1, 0, false, false);
      }
      return;
    }
    for (int oc = 0; oc < o; oc += L) {
      outputVectors(m, base + oc, stride, bias, oc, relu, y, y00 + oc, p.outW * o, o, right, below);
    }
  }

  /**
   * The output transform of one vector of output channels; {@code rowStride < 0}: the tile's
   * maximum (a 2x2 pooling window) stored at {@code dst} instead.
   */
  private static void outputVectors(
      float[] m,
      int src,
      int stride,
      float[] bias,
      int oc,
      boolean relu,
      float[] y,
      int dst,
      int rowStride,
      int pixelStride,
      boolean right,
      boolean below) {
    // s[a][b] = (Aᵀ m)[a][b], per column b.
    FloatVector s00, s01, s02, s03, s10, s11, s12, s13;
    {
      FloatVector m0 = FloatVector.fromArray(S, m, src);
      FloatVector m1 = FloatVector.fromArray(S, m, src + 4 * stride);
      FloatVector m2 = FloatVector.fromArray(S, m, src + 8 * stride);
      FloatVector m3 = FloatVector.fromArray(S, m, src + 12 * stride);
      s00 = m0.add(m1).add(m2);
      s10 = m1.sub(m2).sub(m3);
    }
    {
      FloatVector m0 = FloatVector.fromArray(S, m, src + stride);
      FloatVector m1 = FloatVector.fromArray(S, m, src + 5 * stride);
      FloatVector m2 = FloatVector.fromArray(S, m, src + 9 * stride);
      FloatVector m3 = FloatVector.fromArray(S, m, src + 13 * stride);
      s01 = m0.add(m1).add(m2);
      s11 = m1.sub(m2).sub(m3);
    }
    {
      FloatVector m0 = FloatVector.fromArray(S, m, src + 2 * stride);
      FloatVector m1 = FloatVector.fromArray(S, m, src + 6 * stride);
      FloatVector m2 = FloatVector.fromArray(S, m, src + 10 * stride);
      FloatVector m3 = FloatVector.fromArray(S, m, src + 14 * stride);
      s02 = m0.add(m1).add(m2);
      s12 = m1.sub(m2).sub(m3);
    }
    {
      FloatVector m0 = FloatVector.fromArray(S, m, src + 3 * stride);
      FloatVector m1 = FloatVector.fromArray(S, m, src + 7 * stride);
      FloatVector m2 = FloatVector.fromArray(S, m, src + 11 * stride);
      FloatVector m3 = FloatVector.fromArray(S, m, src + 15 * stride);
      s03 = m0.add(m1).add(m2);
      s13 = m1.sub(m2).sub(m3);
    }
    FloatVector y00 = s00.add(s01).add(s02);
    FloatVector y01 = s01.sub(s02).sub(s03);
    FloatVector y10 = s10.add(s11).add(s12);
    FloatVector y11 = s11.sub(s12).sub(s13);
    if (bias != null) {
      FloatVector b = FloatVector.fromArray(S, bias, oc);
      y00 = y00.add(b);
      y01 = y01.add(b);
      y10 = y10.add(b);
      y11 = y11.add(b);
    }
    if (relu) {
      y00 = y00.max(0f);
      y01 = y01.max(0f);
      y10 = y10.max(0f);
      y11 = y11.max(0f);
    }
    if (rowStride < 0) {
      // MaxPoolPairs' window maximum, written out here: a call with four vectors made C2 box them.
      FloatVector best = y00.blend(y01, y01.compare(VectorOperators.GT, y00));
      best = best.blend(y10, y10.compare(VectorOperators.GT, best));
      best.blend(y11, y11.compare(VectorOperators.GT, best)).intoArray(y, dst);
      return;
    }
    y00.intoArray(y, dst);
    if (right) {
      y01.intoArray(y, dst + pixelStride);
    }
    if (below) {
      y10.intoArray(y, dst + rowStride);
      if (right) {
        y11.intoArray(y, dst + rowStride + pixelStride);
      }
    }
  }
}
