package dev.sonnet.runtime.cpu;

import java.util.Arrays;

/**
 * The data layout of {@link DirectConvF32}: where one output line's windows are read from, how they
 * get there, and the filter packed to match.
 *
 * <p><b>Window-major lines.</b> An output line is the run of outputs along the last spatial
 * dimension at fixed batch and leading output coordinates. Its windows read {@code slots = k0 * k1}
 * input lines (one per kernel offset along the leading dimensions). These are gathered into a
 * scratch laid out {@code [position][slot][channel]}, {@link #width} positions: the padding before,
 * the input, and padding after up to the reach of the last whole register tile, all padding zero.
 * At dilation 1 along the line, the window of output pixel {@code t} is then one contiguous run of
 * {@code K = kernelVolume * C} floats at {@code t * step}: the row of the unfolded matrix in place,
 * with no bounds test per tap. With dilation {@code d > 1} a window is {@code k2} runs of {@code
 * slots * C} floats, {@code d * slots * C} apart.
 *
 * <p><b>Ring of input lines.</b> Consecutive output lines mostly read the same input lines (a 3x3
 * kernel at stride 1 shares two of three). When the window has one leading dimension ({@code k0 =
 * 1}) and its lines fall in distinct slots modulo {@code k1} ({@code gcd(d1, k1) = 1}), input line
 * {@code i1} lives in slot {@code i1 mod k1}, and a slot is refilled only when it holds another
 * line; the window's order of slots then rotates by {@code (o1 * s1 - p1) mod k1}, so the filter is
 * packed once per rotation. This is done for fewer channels than a vector holds, where gathering
 * (short runs, a first layer's 3 channels) costs about as much per float as the product, and for
 * more channels while the rotated filters stay within {@link #MAX_RING_FILTER} (a mid layer, 32 ->
 * 64 channels: gathering each line once instead of three times made forward plus gradients about
 * 5-8% faster, in noisy A-B runs); otherwise slot {@code l} holds window line {@code l}, refilled
 * for every output line.
 *
 * <p><b>Filter.</b> {@code w [j0][j1][j2][c][o]} is repacked, per rotation, in blocks of {@code 2L}
 * output channels ({@code L} lanes per vector; the last block {@code L} wide when at most {@code L}
 * channels are left), each block {@code K} rows of its width in the scratch's tap order {@code
 * [j2][slot][c]}, zeros past the last channel: every filter load is a full vector at a constant
 * stride.
 */
final class DirectConvLayout {
  /** Slot key (see {@link #gather}) of a slot that holds zeros: a line in the padding. */
  private static final long ZEROS = -2;

  /** Slot key of a slot whose contents are unknown. */
  private static final long UNKNOWN = -1;

  /**
   * Most floats of the rotated filter copies (256 KiB, a quarter of L2) for which many-channel
   * layers use the ring too: each of their input lines is then copied once instead of {@code k1}
   * times.
   */
  static final int MAX_RING_FILTER = 1 << 16;

  final ConvShape3d s;
  final int outChannels;

  /** Lanes per vector. */
  final int lanes;

  /** Taps per window: {@code kernelVolume * C}. */
  final int k;

  /** Input lines per window. */
  final int slots;

  /** Positions of a scratch line. */
  final int width;

  /** Floats between consecutive output pixels' windows in the scratch. */
  final int step;

  /** Contiguous runs per window, {@link #run} taps each, {@link #runStep} floats apart. */
  final int runs;

  final int run;
  final int runStep;

  /** Whether input lines stay in their slots across output lines (the ring). */
  final boolean ring;

  /** Packed filter copies: one per rotation of the ring, else one. */
  final int rotations;

  DirectConvLayout(ConvShape3d s, int outChannels, int lanes, int tilePixels) {
    this.s = s;
    this.outChannels = outChannels;
    this.lanes = lanes;
    k = s.kernelVolume * s.channels;
    slots = s.k0 * s.k1;
    int position = slots * s.channels;
    int pixels = (s.out2 + tilePixels - 1) / tilePixels * tilePixels;
    width = Math.max(s.p2 + s.in2, (pixels - 1) * s.s2 + (s.k2 - 1) * s.d2 + 1);
    step = s.s2 * position;
    boolean contiguous = s.d2 == 1;
    runs = contiguous ? 1 : s.k2;
    run = contiguous ? s.k2 * position : position;
    runStep = s.d2 * position;
    boolean ringFits = s.k0 == 1 && gcd(s.d1, s.k1) == 1;
    ring =
        ringFits
            && (s.channels < lanes
                || (long) s.k1 * k * roundUp(outChannels, lanes) <= MAX_RING_FILTER);
    rotations = ring ? s.k1 : 1;
  }

  /** Floats of one scratch line. */
  int scratchLength() {
    return width * slots * s.channels;
  }

  /** Width of the block of output channels that starts at {@code ob}: two vectors or one. */
  int blockWidth(int ob) {
    return outChannels - ob > lanes ? 2 * lanes : lanes;
  }

  /** Floats of one packed copy of the filter (all blocks). */
  int filterLength() {
    return k * ((outChannels + lanes - 1) / lanes * lanes);
  }

  /** Resets a scratch for a new run of output lines: padding zero, every slot unknown. */
  void reset(float[] xs, long[] slotKeys) {
    Arrays.fill(xs, 0, scratchLength(), 0f);
    Arrays.fill(slotKeys, 0, slots, UNKNOWN);
  }

  /** Floats of the packed filter: {@link #filterLength()} per rotation. */
  int packedLength() {
    return rotations * filterLength();
  }

  /**
   * Packs the filter into {@code packed[0, packedLength())}, once per rotation: copy {@code rot}
   * starts at {@code rot *} {@link #filterLength()}, its block at output channel {@code ob} at
   * {@code k} times the widths of the blocks before. Writes every element, zeros included, so
   * {@code packed} may hold anything.
   */
  void packFilter(float[] w, float[] packed) {
    int o = outChannels;
    int c = s.channels;
    for (int rot = 0; rot < rotations; rot++) {
      for (int ob = 0, base = rot * filterLength(); ob < o; ob += 2 * lanes) {
        int bw = blockWidth(ob);
        int used = Math.min(bw, o - ob);
        for (int j0 = 0; j0 < s.k0; j0++) {
          for (int j1 = 0; j1 < s.k1; j1++) {
            int slot = ring ? Math.floorMod(rot + j1 * s.d1, s.k1) : j0 * s.k1 + j1;
            for (int j2 = 0; j2 < s.k2; j2++) {
              for (int ci = 0; ci < c; ci++) {
                int src = (((j0 * s.k1 + j1) * s.k2 + j2) * c + ci) * o + ob;
                int dst = base + ((j2 * slots + slot) * c + ci) * bw;
                System.arraycopy(w, src, packed, dst, used);
                Arrays.fill(packed, dst + used, dst + bw, 0f);
              }
            }
          }
        }
        base += k * bw;
      }
    }
  }

  /**
   * Makes {@code xs} hold the input lines that output line {@code r} (flattened {@code (n, o0,
   * o1)}) reads, refilling only slots that hold another line; returns the rotation whose packed
   * filter matches the slots' order. {@code slotKeys} records which line each slot holds: the input
   * line's flat index {@code (n * in0 + i0) * in1 + i1}, or {@link #ZEROS} for a line in the
   * padding.
   */
  int gather(float[] x, int r, float[] xs, long[] slotKeys) {
    int n = r / (s.out0 * s.out1);
    int o0 = r / s.out1 % s.out0;
    int o1 = r % s.out1;
    for (int j0 = 0, line = 0; j0 < s.k0; j0++) {
      int i0 = o0 * s.s0 - s.p0 + j0 * s.d0;
      for (int j1 = 0; j1 < s.k1; j1++, line++) {
        int i1 = o1 * s.s1 - s.p1 + j1 * s.d1;
        boolean inside = i0 >= 0 && i0 < s.in0 && i1 >= 0 && i1 < s.in1;
        long key = inside ? ((long) n * s.in0 + i0) * s.in1 + i1 : ZEROS;
        int slot = ring ? Math.floorMod(i1, s.k1) : line;
        if (slotKeys[slot] != key) {
          fill(x, inside ? (int) key * s.in2 * s.channels : -1, xs, slot);
          slotKeys[slot] = key;
        }
      }
    }
    return ring ? Math.floorMod(o1 * s.s1 - s.p1, s.k1) : 0;
  }

  /**
   * Writes the input line starting at {@code x[src]} ({@code in2 * C} floats), or zeros when {@code
   * src < 0}, into {@code slot} of the scratch's input positions; the padding positions stay zero.
   * Runs of at least a vector's length of channels are copied whole; fewer channels one channel at
   * a time along the line, a long strided loop rather than a loop of {@code C} (3 in a first layer)
   * per position.
   */
  private void fill(float[] x, int src, float[] xs, int slot) {
    int c = s.channels;
    int position = slots * c;
    int start = (s.p2 * slots + slot) * c;
    if (c >= lanes) {
      for (int u = 0, d = start; u < s.in2; u++, d += position) {
        if (src < 0) {
          Arrays.fill(xs, d, d + c, 0f);
        } else {
          System.arraycopy(x, src + u * c, xs, d, c);
        }
      }
      return;
    }
    for (int ci = 0; ci < c; ci++) {
      for (int u = 0, d = start + ci, e = src + ci; u < s.in2; u++, d += position, e += c) {
        xs[d] = src < 0 ? 0f : x[e];
      }
    }
  }

  private static long roundUp(int v, int multiple) {
    return (long) (v + multiple - 1) / multiple * multiple;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
