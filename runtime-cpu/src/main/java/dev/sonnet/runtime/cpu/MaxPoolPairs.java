package dev.sonnet.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 2x2, stride-2 max pooling of two consecutive output lines held side by side, for kernels that
 * pool what they have just computed instead of writing it ({@link DirectConvF32#convolvePooled},
 * {@link WinogradConvF32} writes the same comparisons out in its output transform), and for the
 * pooling op's 2x2 windows that tile its input ({@link TiledMaxPool2x2}): in window order (top
 * left, top right, bottom left, bottom right) a later value replaces the running maximum only where
 * it is strictly greater, so the first of equal maxima stays and a NaN stays only in the first
 * position.
 */
final class MaxPoolPairs {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private MaxPoolPairs() {}

  /**
   * Pools the top line at {@code lines[top]} ({@code width * 2} pixels of {@code channels} values)
   * and the bottom line that starts {@code below} floats later into {@code width} pixels at {@code
   * out[dst]}.
   */
  static void pool(
      float[] lines, int top, int below, int width, int channels, float[] out, int dst) {
    int vectorEnd = channels - channels % F.length();
    for (int j = 0; j < width; j++, dst += channels) {
      int a = top + 2 * j * channels;
      int ch = 0;
      for (; ch < vectorEnd; ch += F.length()) {
        FloatVector v0 = FloatVector.fromArray(F, lines, a + ch);
        FloatVector v1 = FloatVector.fromArray(F, lines, a + channels + ch);
        FloatVector v2 = FloatVector.fromArray(F, lines, a + below + ch);
        FloatVector v3 = FloatVector.fromArray(F, lines, a + below + channels + ch);
        FloatVector best = v0.blend(v1, v1.compare(VectorOperators.GT, v0));
        best = best.blend(v2, v2.compare(VectorOperators.GT, best));
        best.blend(v3, v3.compare(VectorOperators.GT, best)).intoArray(out, dst + ch);
      }
      for (; ch < channels; ch++) {
        float best = lines[a + ch];
        best = greater(lines[a + channels + ch], best);
        best = greater(lines[a + below + ch], best);
        out[dst + ch] = greater(lines[a + below + channels + ch], best);
      }
    }
  }

  private static float greater(float candidate, float best) {
    return candidate > best ? candidate : best;
  }
}
