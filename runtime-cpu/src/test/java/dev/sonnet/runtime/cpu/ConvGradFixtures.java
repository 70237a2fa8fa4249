package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.conformance.nn.NnReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;

/**
 * The oracle and helpers of the direct convolution gradient tests: both gradients by their
 * definition, in double, in plain loops over every (batch, output position, tap) triple, sharing
 * nothing with the kernels (no flipped filter, no gathered lines); geometries with TensorFlow's
 * SAME, VALID, or explicit padding; and an element-wise comparison within a per-element bound.
 */
final class ConvGradFixtures {
  /** Unit roundoff of float32. */
  static final double UNIT = Math.scalb(1.0, -24);

  private ConvGradFixtures() {}

  /**
   * {@code dw [kernel..., C, o]}: {@code dw[j, c, oc] = sum_{n, p} x[n, p * s - pad + j * d, c] *
   * dy[n, p, oc]}, reads outside the input being zero.
   */
  static double[] filterGrad(ConvGeometry g, int o, double[] x, double[] dy) {
    int c = g.channels();
    double[] dw = new double[g.kernelVolume() * c * o];
    forEachTap(
        g,
        (n, p, tap, xPixel) -> {
          for (int ci = 0; ci < c; ci++) {
            double xv = x[xPixel * c + ci];
            for (int oc = 0; oc < o; oc++) {
              dw[(tap * c + ci) * o + oc] += xv * dy[(n * g.outVolume() + p) * o + oc];
            }
          }
        });
    return dw;
  }

  /**
   * {@code dx [batch, in..., C]}: every output position {@code p} adds {@code dy[n, p, oc] * w[j,
   * c, oc]} to the input pixel its tap {@code j} reads, the adjoint of the forward convolution.
   */
  static double[] inputGrad(ConvGeometry g, int o, double[] dy, double[] w) {
    int c = g.channels();
    double[] dx = new double[g.batch() * g.inVolume() * c];
    forEachTap(
        g,
        (n, p, tap, xPixel) -> {
          for (int ci = 0; ci < c; ci++) {
            double sum = 0;
            for (int oc = 0; oc < o; oc++) {
              sum += dy[(n * g.outVolume() + p) * o + oc] * w[(tap * c + ci) * o + oc];
            }
            dx[xPixel * c + ci] += sum;
          }
        });
    return dx;
  }

  /** A visitor of one (batch, output position, tap) whose input pixel is inside the image. */
  @FunctionalInterface
  interface TapVisitor {
    void visit(int n, int outPosition, int tap, int inputPixel);
  }

  /** Visits every in-image (batch, output position, tap); {@code inputPixel} is flat over batch. */
  static void forEachTap(ConvGeometry g, TapVisitor visitor) {
    int rank = g.spatialRank();
    for (int n = 0; n < g.batch(); n++) {
      for (int p = 0; p < g.outVolume(); p++) {
        int[] out = NnReference.unravel(p, g.outSpatial());
        for (int tap = 0; tap < g.kernelVolume(); tap++) {
          int[] j = NnReference.unravel(tap, g.kernel());
          int[] in = new int[rank];
          boolean inside = true;
          for (int d = 0; d < rank; d++) {
            in[d] = out[d] * g.stride()[d] - g.padBefore()[d] + j[d] * g.dilation()[d];
            inside &= in[d] >= 0 && in[d] < g.inSpatial()[d];
          }
          if (inside) {
            visitor.visit(n, p, tap, n * g.inVolume() + NnReference.ravel(in, g.inSpatial()));
          }
        }
      }
    }
  }

  /**
   * The geometry of a convolution with {@code padding} SAME (TensorFlow's split), VALID or EXPLICIT
   * (one before, two after along each dimension).
   */
  static ConvGeometry geometry(
      int batch, int[] in, int c, int[] k, int[] s, int[] d, String padding) {
    int[] before;
    int[] out;
    if (padding.equals("SAME")) {
      int[][] same = NnReference.same(in, k, s, d);
      before = same[0];
      out = same[1];
    } else {
      before = filled(in.length, padding.equals("VALID") ? 0 : 1);
      int[] after = filled(in.length, padding.equals("VALID") ? 0 : 2);
      out = NnReference.explicitOut(in, k, s, d, before, after);
    }
    return new ConvGeometry(batch, in, c, k, s, d, before, out, 1);
  }

  /**
   * One batch of 3-line 2-d images with {@code channels} channels, a 3x3 kernel, SAME and VALID,
   * whose lines run from 1 to 13 pixels: narrower and wider than any register tile.
   */
  static List<ConvGeometry> lineWidths(int channels) {
    List<ConvGeometry> all = new ArrayList<>();
    for (int width : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 13}) {
      for (String padding : new String[] {"SAME", "VALID"}) {
        if (!padding.equals("VALID") || width >= 3) {
          all.add(
              geometry(
                  1,
                  new int[] {3, width},
                  channels,
                  filled(2, 3),
                  filled(2, 1),
                  filled(2, 1),
                  padding));
        }
      }
    }
    return all;
  }

  /**
   * Width-3 kernels over ranks 1 to 3 (inputs 11, 7x11, 5x7x11), strides and dilations 1 and 2,
   * SAME, VALID and EXPLICIT padding, batches 1 and 3, with {@code channels} channels.
   */
  static List<ConvGeometry> stridesDilationsPaddingsAndRanks(int channels) {
    List<ConvGeometry> all = new ArrayList<>();
    for (int rank = 1; rank <= 3; rank++) {
      int[] in = Arrays.copyOfRange(new int[] {5, 7, 11}, 3 - rank, 3);
      for (int stride = 1; stride <= 2; stride++) {
        for (int dilation = 1; dilation <= 2; dilation++) {
          for (String padding : new String[] {"SAME", "VALID", "EXPLICIT"}) {
            for (int batch : new int[] {1, 3}) {
              all.add(
                  geometry(
                      batch,
                      in,
                      channels,
                      filled(rank, 3),
                      filled(rank, stride),
                      filled(rank, dilation),
                      padding));
            }
          }
        }
      }
    }
    return all;
  }

  /** A 3x3 (or 3, or 3x3x3) geometry of {@code rank} dimensions of size {@code size}. */
  static ConvGeometry square(
      int batch, int rank, int size, int c, int stride, int dilation, String padding) {
    return geometry(
        batch,
        filled(rank, size),
        c,
        filled(rank, 3),
        filled(rank, stride),
        filled(rank, dilation),
        padding);
  }

  static int[] filled(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }

  static double[] toDouble(float[] v, boolean abs) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = abs ? Math.abs(v[i]) : v[i];
    }
    return d;
  }

  /**
   * Checks {@code actual[i]} against {@code expected[i]} within {@code (terms + 1) * 2^-24 *
   * magnitude[i]}: the first-order bound on the rounding error of a float sum of {@code terms}
   * products whose absolute values sum to {@code magnitude[i]}, in any order and grouping (each
   * product of two floats is exact in double and rounds at most once in an FMA; each partial sum
   * adds at most one rounding of relative size 2^-24, so no term is rounded more than {@code terms}
   * times).
   */
  static void assertWithinRounding(
      float[] actual, double[] expected, double[] magnitude, long terms, String what) {
    for (int i = 0; i < expected.length; i++) {
      double tolerance = (terms + 1) * UNIT * magnitude[i] + Float.MIN_NORMAL;
      assertThat((double) actual[i])
          .as("%s: element %d of %d", what, i, expected.length)
          .isCloseTo(expected[i], Offset.offset(tolerance));
    }
  }

  static String describe(ConvGeometry g, int o) {
    return "O=" + o + ", " + ConvKernelsTest.describe(g);
  }
}
