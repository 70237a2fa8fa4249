package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.ConvGeometry;

/**
 * A {@link ConvGeometry} of 1 to 3 spatial dimensions widened to exactly three, so that every
 * kernel is one triple loop: missing leading dimensions get size 1, kernel 1, stride 1, dilation 1
 * and no padding, which changes no index. Plain int fields, read in the inner loops.
 */
final class ConvShape3d {
  final int batch;
  final int channels;
  final int groups;

  /** Channels per group. */
  final int cg;

  final int in0;
  final int in1;
  final int in2;
  final int k0;
  final int k1;
  final int k2;
  final int s0;
  final int s1;
  final int s2;
  final int d0;
  final int d1;
  final int d2;
  final int p0;
  final int p1;
  final int p2;
  final int out0;
  final int out1;
  final int out2;
  final int kernelVolume;
  final int outVolume;
  final int inVolume;

  ConvShape3d(ConvGeometry g) {
    int n = g.spatialRank();
    if (n < 1 || n > 3) {
      throw new IllegalArgumentException(
          "convolution geometry needs 1 to 3 spatial dimensions, " + "got " + n);
    }
    int[] in = widen(g.inSpatial(), n);
    int[] k = widen(g.kernel(), n);
    int[] s = widen(g.stride(), n);
    int[] d = widen(g.dilation(), n);
    int[] p = widenZero(g.padBefore(), n);
    int[] o = widen(g.outSpatial(), n);
    batch = g.batch();
    channels = g.channels();
    groups = g.groups();
    cg = channels / groups;
    in0 = in[0];
    in1 = in[1];
    in2 = in[2];
    k0 = k[0];
    k1 = k[1];
    k2 = k[2];
    s0 = s[0];
    s1 = s[1];
    s2 = s[2];
    d0 = d[0];
    d1 = d[1];
    d2 = d[2];
    p0 = p[0];
    p1 = p[1];
    p2 = p[2];
    out0 = o[0];
    out1 = o[1];
    out2 = o[2];
    kernelVolume = k0 * k1 * k2;
    outVolume = out0 * out1 * out2;
    inVolume = in0 * in1 * in2;
  }

  /** Number of rows of the unfolded matrix of one group: {@code batch * outVolume}. */
  int rows() {
    return batch * outVolume;
  }

  /** Columns of the unfolded matrix of one group: {@code kernelVolume * cg}. */
  int cols() {
    return kernelVolume * cg;
  }

  /**
   * The input index along dimension 0 of the first window position of output position {@code o} (a
   * flat index into {@code [out0, out1, out2]}); negative when the window starts in the padding.
   */
  int start0(int o) {
    return (o / (out1 * out2)) * s0 - p0;
  }

  /** As {@link #start0}, along dimension 1. */
  int start1(int o) {
    return (o / out2 % out1) * s1 - p1;
  }

  /** As {@link #start0}, along dimension 2. */
  int start2(int o) {
    return (o % out2) * s2 - p2;
  }

  private static int[] widen(int[] v, int n) {
    int[] out = {1, 1, 1};
    System.arraycopy(v, 0, out, 3 - n, n);
    return out;
  }

  private static int[] widenZero(int[] v, int n) {
    int[] out = {0, 0, 0};
    System.arraycopy(v, 0, out, 3 - n, n);
    return out;
  }
}
