package dev.sonnet.runtime.cpu;

import java.util.Arrays;

/**
 * The input rows read by a block of consecutive output lines of a convolution, copied into a
 * zero-padded scratch in which every window has the same shape: tap {@code (j0, j1, j2)} of the
 * window of output pixel {@code t} of block line {@code i} starts at {@code i * lineStep + t *
 * pixelStep + tapOffset(j0, j1, j2)}, its channels contiguous from there.
 *
 * <p>An output line is the run of outputs along the last spatial dimension at fixed batch and
 * leading coordinates {@code (n, o0, o1)}; a block is up to {@code maxLines} consecutive lines of
 * one {@code (n, o0)}. Its windows read {@code k0} planes of input rows ({@code i0 = o0 * s0 - p0 +
 * j0 * d0}), each a run of {@link #rows} consecutive rows from {@code o1 * s1 - p1} of the block's
 * first line. The scratch is {@code [k0][rows][width][cs]}: a row holds its input line at positions
 * {@code p2} onwards, zeros before and after (padding, and the reach of the last window) and in
 * channels {@code C..cs-1}; a row outside the image is zeros. Each in-range row is one {@code
 * arraycopy} (one per position when {@code cs > C}), so a block costs about {@code rows / (
 * maxLines * s1)} copies of each input row, against {@code kernelVolume} reads of each window
 * element by the kernel.
 *
 * @param s the geometry, widened to three spatial dimensions
 * @param cs floats per position in the scratch, at least {@code C}: a kernel that loads channels as
 *     whole vectors rounds {@code C} up to the vector length, so the padding lanes read zeros
 * @param maxLines output lines per block
 * @param rows scratch rows per plane: those read by a block of {@code maxLines} lines
 * @param width positions per row
 */
record LineBlock(ConvShape3d s, int cs, int maxLines, int rows, int width) {

  /**
   * The layout for blocks of up to {@code maxLines} lines whose rows are wide enough for the
   * windows of {@code out2} rounded up to a multiple of {@code pixelMultiple} pixels, so that a
   * kernel may compute whole tiles of pixels and drop the extra ones.
   */
  static LineBlock of(ConvShape3d s, int cs, int maxLines, int pixelMultiple) {
    int lines = Math.max(1, Math.min(maxLines, s.out1));
    int rows = (lines - 1) * s.s1 + (s.k1 - 1) * s.d1 + 1;
    int pixels = (s.out2 + pixelMultiple - 1) / pixelMultiple * pixelMultiple;
    int reach = (pixels - 1) * s.s2 + (s.k2 - 1) * s.d2 + 1;
    return new LineBlock(s, cs, lines, rows, Math.max(s.p2 + s.in2, reach));
  }

  /** Floats of the scratch. */
  int length() {
    return s.k0 * rows * rowLength();
  }

  /** Floats of one scratch row. */
  int rowLength() {
    return width * cs;
  }

  /** Floats between the windows of consecutive lines of a block. */
  int lineStep() {
    return s.s1 * rowLength();
  }

  /** Floats between the windows of consecutive pixels of a line. */
  int pixelStep() {
    return s.s2 * cs;
  }

  /** Where tap {@code (j0, j1, j2)} of a window starts, relative to the window. */
  int tapOffset(int j0, int j1, int j2) {
    return (j0 * rows + j1 * s.d1) * rowLength() + j2 * s.d2 * cs;
  }

  /** Output lines: {@code batch * out0 * out1}. */
  int lines() {
    return s.batch * s.out0 * s.out1;
  }

  /** The end of the block that starts at line {@code r} and ends at or before {@code hi}. */
  int blockEnd(int r, int hi) {
    return Math.min(Math.min(hi, r + maxLines), (r / s.out1 + 1) * s.out1);
  }

  /**
   * Copies the rows that the block of lines {@code [r, end)} (from {@link #blockEnd}) reads from
   * {@code x [batch, in0, in1, in2, C]} into {@code xs}, a scratch of {@link #length()} floats
   * zeroed before the first block and since written only by this method.
   */
  void gather(float[] x, int r, int end, float[] xs) {
    int c = s.channels;
    int n = r / (s.out0 * s.out1);
    int o0 = r / s.out1 % s.out0;
    int first = r % s.out1 * s.s1 - s.p1;
    int used = (end - r - 1) * s.s1 + (s.k1 - 1) * s.d1 + 1;
    int rowLen = rowLength();
    for (int j0 = 0; j0 < s.k0; j0++) {
      int i0 = o0 * s.s0 - s.p0 + j0 * s.d0;
      for (int row = 0; row < used; row++) {
        int i1 = first + row;
        int dst = (j0 * rows + row) * rowLen + s.p2 * cs;
        if (i0 < 0 || i0 >= s.in0 || i1 < 0 || i1 >= s.in1) {
          Arrays.fill(xs, dst, dst + s.in2 * cs, 0f);
        } else {
          int src = ((n * s.in0 + i0) * s.in1 + i1) * s.in2 * c;
          if (cs == c) {
            System.arraycopy(x, src, xs, dst, s.in2 * c);
          } else {
            for (int u = 0; u < s.in2; u++) {
              System.arraycopy(x, src + u * c, xs, dst + u * cs, c);
            }
          }
        }
      }
    }
  }
}
