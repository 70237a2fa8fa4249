package dev.sonnet.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 max-pooling forward pass for 2x2 windows that tile a 2-d input (stride 2, no padding,
 * even sizes, the usual pooling of a ConvNet), channels a whole number of vectors: each output is
 * the lane-wise maximum of four fixed offsets, with no per-window divisions, bounds checks or calls
 * per position as {@link PoolKernels#poolRows} makes ({@link MaxPoolPairs} per pair of input lines,
 * as the pooled convolutions use it).
 *
 * <p>Bit for bit {@link PoolKernels#poolRows}: the first position is taken, and each later one
 * replaces the running maximum only where it is strictly greater (so the first of equal maxima
 * stays, and a NaN stays only in the first position), in window order.
 */
final class TiledMaxPool2x2 {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private TiledMaxPool2x2() {}

  /** Whether {@code s} is a 2-d 2x2 pooling that tiles its input, channels in whole vectors. */
  static boolean handles(ConvShape3d s) {
    return s.k0 == 1
        && s.k1 == 2
        && s.k2 == 2
        && s.channels % F.length() == 0
        && VectorMaxPoolBackward.tiles(s);
  }

  /** Output lines {@code [lo, hi)} of {@code batch * out0 * out1}. */
  static void lines(ConvShape3d s, float[] x, float[] out, int lo, int hi) {
    int c = s.channels;
    int down = s.in2 * c;
    for (int line = lo; line < hi; line++) {
      int o1 = line % s.out1;
      // k0 = 1 and the windows tile the input, so in0 = out0 and (n, o0) index both alike.
      int image0 = line / s.out1;
      int row = (image0 * s.in1 + 2 * o1) * down;
      MaxPoolPairs.pool(x, row, down, s.out2, c, out, line * s.out2 * c);
    }
  }
}
