package dev.sonnet.runtime.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 max-pooling gradient for windows that do not overlap (stride at least the window's
 * extent, as in the usual 2x2 stride-2 pooling), with channels along vector lanes.
 *
 * <p>Why: the scalar kernel ({@link PoolKernels#poolBackwardImages}) finds each channel's maximum
 * with a data-dependent branch, which mispredicts about half the time on activations, and it was a
 * fifth of a small ConvNet's training step. Here each window is read twice from L1: the first pass
 * takes the lane-wise maximum (branch-free), the second writes the upstream gradient to the first
 * position that holds it and zero to the others. Since windows are disjoint, every input element is
 * written by at most one window, so the result is stored, not accumulated.
 *
 * <p>Exactly the scalar kernel's choice of position: the first maximum in window order (later equal
 * values, including {@code 0.0} after {@code -0.0}, lose), and a NaN wins only in the first
 * position (a comparison with NaN is false). Channels past the last full vector use the scalar
 * rule.
 */
final class VectorMaxPoolBackward {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int MAX_WINDOW = 64;

  private VectorMaxPoolBackward() {}

  /** True when no two windows of {@code s} share an input element and the window is small. */
  static boolean handles(ConvShape3d s) {
    return s.kernelVolume <= MAX_WINDOW
        && disjoint(s.k0, s.s0, s.d0)
        && disjoint(s.k1, s.s1, s.d1)
        && disjoint(s.k2, s.s2, s.d2);
  }

  /**
   * True when the windows cover every input element exactly once (window = stride, no dilation, no
   * padding, the input a whole number of windows, as the usual 2x2 pooling of an even image): then
   * the routing writes all of {@code gradIn} and the zero fill before it, a whole extra pass over
   * the largest activation, is skipped.
   */
  static boolean tiles(ConvShape3d s) {
    return tiles(s.k0, s.s0, s.d0, s.p0, s.in0, s.out0)
        && tiles(s.k1, s.s1, s.d1, s.p1, s.in1, s.out1)
        && tiles(s.k2, s.s2, s.d2, s.p2, s.in2, s.out2);
  }

  private static boolean tiles(int k, int stride, int dilation, int pad, int in, int out) {
    return k == stride && dilation == 1 && pad == 0 && out * k == in;
  }

  private static boolean disjoint(int k, int stride, int dilation) {
    return stride >= (k - 1) * dilation + 1;
  }

  /** Writes the input gradient of images {@code [lo, hi)}. */
  static void images(ConvShape3d s, float[] x, float[] gradOut, float[] gradIn, int lo, int hi) {
    if (TiledMaxPool2x2.handles(s)) {
      tiled2x2(s, x, gradOut, gradIn, lo, hi);
      return;
    }
    int c = s.channels;
    int[] window = new int[s.kernelVolume];
    int vectorEnd = F.loopBound(c);
    // The scalar tail (channels past the last whole vector) writes only each window's maximum.
    boolean tiled = vectorEnd == c && tiles(s);
    for (int n = lo; n < hi; n++) {
      int xImage = n * s.inVolume;
      // Elements no window covers (the input's edge when the windows do not tile it) get zero;
      // when the windows tile the input, every element is written below (its gradient or zero).
      if (!tiled) {
        Arrays.fill(gradIn, xImage * c, (xImage + s.inVolume) * c, 0f);
      }
      for (int o = 0; o < s.outVolume; o++) {
        int positions = windowOffsets(s, xImage, o, window);
        if (positions == 0) {
          continue;
        }
        int dy = (n * s.outVolume + o) * c;
        for (int ch = 0; ch < vectorEnd; ch += F.length()) {
          routeVector(x, gradOut, gradIn, window, positions, dy, ch);
        }
        for (int ch = vectorEnd; ch < c; ch++) {
          routeScalar(x, gradOut, gradIn, window, positions, dy, ch);
        }
      }
    }
  }

  /**
   * {@link #images} for 2x2 windows that tile the input, channels a whole number of vectors (the
   * usual pooling of a ConvNet): the four positions of each window are fixed offsets, found without
   * the general path's divisions and bounds checks per window, and routed by {@link #route4}.
   */
  private static void tiled2x2(
      ConvShape3d s, float[] x, float[] gradOut, float[] gradIn, int lo, int hi) {
    int c = s.channels;
    int right = c;
    int down = s.in2 * c;
    for (int n = lo; n < hi; n++) {
      int dy = n * s.outVolume * c;
      for (int o0 = 0; o0 < s.out0; o0++) {
        for (int o1 = 0; o1 < s.out1; o1++) {
          int row = ((n * s.in0 + o0) * s.in1 + 2 * o1) * s.in2 * c;
          for (int o2 = 0; o2 < s.out2; o2++, dy += c) {
            int at = row + 2 * o2 * c;
            for (int ch = 0; ch < c; ch += F.length()) {
              route4(x, gradOut, gradIn, at + ch, right, down, dy + ch);
            }
          }
        }
      }
    }
  }

  /**
   * {@link #routeVector} for the four positions {@code a, a + right, a + down, a + down + right}
   * (window order), straight-line: the same maximum, the same first-position rule.
   */
  private static void route4(
      float[] x, float[] gradOut, float[] gradIn, int a, int right, int down, int dy) {
    int b = a + right;
    int c = a + down;
    int d = c + right;
    FloatVector v0 = FloatVector.fromArray(F, x, a);
    FloatVector v1 = FloatVector.fromArray(F, x, b);
    FloatVector v2 = FloatVector.fromArray(F, x, c);
    FloatVector v3 = FloatVector.fromArray(F, x, d);
    FloatVector best = v0.blend(v1, v1.compare(VectorOperators.GT, v0));
    best = best.blend(v2, v2.compare(VectorOperators.GT, best));
    best = best.blend(v3, v3.compare(VectorOperators.GT, best));
    FloatVector g = FloatVector.fromArray(F, gradOut, dy);
    FloatVector zero = FloatVector.zero(F);
    VectorMask<Float> bestIsNaN = best.test(VectorOperators.IS_NAN);
    // A NaN maximum can only come from position 0 (a comparison with NaN is false).
    VectorMask<Float> r0 = v0.compare(VectorOperators.EQ, best).or(bestIsNaN);
    zero.blend(g, r0).intoArray(gradIn, a);
    VectorMask<Float> r1 = v1.compare(VectorOperators.EQ, best).andNot(r0);
    zero.blend(g, r1).intoArray(gradIn, b);
    VectorMask<Float> taken = r0.or(r1);
    VectorMask<Float> r2 = v2.compare(VectorOperators.EQ, best).andNot(taken);
    zero.blend(g, r2).intoArray(gradIn, c);
    taken = taken.or(r2);
    zero.blend(g, v3.compare(VectorOperators.EQ, best).andNot(taken)).intoArray(gradIn, d);
  }

  /** The element offsets ({@code * channels}) of output {@code o}'s in-range window positions. */
  private static int windowOffsets(ConvShape3d s, int xImage, int o, int[] window) {
    int count = 0;
    int i0s = s.start0(o);
    int i1s = s.start1(o);
    int i2s = s.start2(o);
    for (int j0 = 0; j0 < s.k0; j0++) {
      int i0 = i0s + j0 * s.d0;
      if (i0 < 0 || i0 >= s.in0) {
        continue;
      }
      for (int j1 = 0; j1 < s.k1; j1++) {
        int i1 = i1s + j1 * s.d1;
        if (i1 < 0 || i1 >= s.in1) {
          continue;
        }
        for (int j2 = 0; j2 < s.k2; j2++) {
          int i2 = i2s + j2 * s.d2;
          if (i2 >= 0 && i2 < s.in2) {
            window[count++] = (xImage + (i0 * s.in1 + i1) * s.in2 + i2) * s.channels;
          }
        }
      }
    }
    return count;
  }

  private static void routeVector(
      float[] x, float[] gradOut, float[] gradIn, int[] window, int positions, int dy, int ch) {
    FloatVector best = FloatVector.fromArray(F, x, window[0] + ch);
    for (int j = 1; j < positions; j++) {
      FloatVector v = FloatVector.fromArray(F, x, window[j] + ch);
      best = best.blend(v, v.compare(VectorOperators.GT, best));
    }
    FloatVector g = FloatVector.fromArray(F, gradOut, dy + ch);
    FloatVector zero = FloatVector.zero(F);
    VectorMask<Float> bestIsNaN = best.test(VectorOperators.IS_NAN);
    VectorMask<Float> taken = F.maskAll(false);
    for (int j = 0; j < positions; j++) {
      FloatVector v = FloatVector.fromArray(F, x, window[j] + ch);
      // A NaN maximum can only come from position 0, where v is that NaN.
      VectorMask<Float> holdsMax =
          v.compare(VectorOperators.EQ, best).or(bestIsNaN.and(v.test(VectorOperators.IS_NAN)));
      VectorMask<Float> route = holdsMax.andNot(taken);
      zero.blend(g, route).intoArray(gradIn, window[j] + ch);
      taken = taken.or(route);
    }
  }

  private static void routeScalar(
      float[] x, float[] gradOut, float[] gradIn, int[] window, int positions, int dy, int ch) {
    int at = window[0] + ch;
    float best = x[at];
    for (int j = 1; j < positions; j++) {
      float v = x[window[j] + ch];
      if (v > best) {
        best = v;
        at = window[j] + ch;
      }
    }
    gradIn[at] = gradOut[dy + ch];
  }
}
