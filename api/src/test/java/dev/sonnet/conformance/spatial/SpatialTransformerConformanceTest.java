package dev.sonnet.conformance.spatial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.conformance.GradientCheck;
import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.spatial.AffineGridWarper;
import dev.sonnet.spatial.AffineWarpConstraints;
import dev.sonnet.spatial.Resampler;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sonnet 1's resampler and affine grid warper against plain-loop references, with gradients checked
 * against finite differences in float64.
 */
class SpatialTransformerConformanceTest {

  /** The plain-loop resampler: bilinear, reading 0 outside the image. */
  static double[] resample(double[] data, int b, int h, int w, int c, double[] warp, int points) {
    double[] out = new double[b * points * c];
    for (int n = 0; n < b; n++) {
      for (int p = 0; p < points; p++) {
        double x = warp[(n * points + p) * 2];
        double y = warp[(n * points + p) * 2 + 1];
        if (!(x > -1 && y > -1 && x < w && y < h)) {
          continue;
        }
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        for (int dy = 0; dy <= 1; dy++) {
          for (int dx = 0; dx <= 1; dx++) {
            int xi = x0 + dx;
            int yi = y0 + dy;
            if (xi < 0 || yi < 0 || xi >= w || yi >= h) {
              continue;
            }
            double weight = (1 - Math.abs(x - xi)) * (1 - Math.abs(y - yi));
            for (int ch = 0; ch < c; ch++) {
              out[(n * points + p) * c + ch] += weight * data[((n * h + yi) * w + xi) * c + ch];
            }
          }
        }
      }
    }
    return out;
  }

  /** Uniform coordinates in [low, high), nudged at least 0.05 away from integers. */
  static Tensor warp(long seed, double low, double high, int... shape) {
    double[] v = GradientCheck.uniform(seed, low, high, shape).toDoubleArray();
    for (int i = 0; i < v.length; i++) {
      double frac = v[i] - Math.floor(v[i]);
      if (frac < 0.05) {
        v[i] += 0.05;
      } else if (frac > 0.95) {
        v[i] -= 0.05;
      }
    }
    return Tensor.of(v, shape);
  }

  @Test
  void resample_matchesThePlainLoopReference_insideOnTheBorderAndOutside() {
    Tensor data = ModuleChecks.uniform(31, 2, 4, 5, 3);
    // Points across [-2, 6) x [-2, 6): inside, straddling the border (fading to 0), and outside.
    Tensor warp = warp(32, -2, 6, 2, 7, 3, 2);
    Tensor out = Resampler.resample(data, warp);
    assertThat(out.shape()).isEqualTo(Shape.of(2, 7, 3, 3));
    double[] expected = resample(data.toDoubleArray(), 2, 4, 5, 3, warp.toDoubleArray(), 21);
    // float64; four products per value.
    ModuleChecks.assertClose(out, expected, 1e-12);
  }

  @Test
  void resample_atPixelCentres_readsThePixels_andIsZeroBeyondTheImage() {
    Tensor data = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3, 1);
    Tensor warp =
        Tensor.of(new float[] {0, 0, 2, 1, 1, 0, -1, 0, 3, 1, 0.5f, 1, 2, -0.5f, 5, 5}, 1, 8, 2);
    assertThat(Resampler.resample(data, warp).toFloatArray())
        .containsExactly(1, 6, 2, 0, 0, 4.5f, 1.5f, 0);
  }

  @Test
  void resample_gradients_matchFiniteDifferences_forDataAndWarp() {
    Tensor data = ModuleChecks.uniform(33, 2, 3, 4, 2);
    Tensor warp = warp(34, -1.5, 4.5, 2, 5, 2);
    GradientCheck.check(in -> Resampler.resample(in[0], in[1]), data, warp);
  }

  @Test
  void resample_gradientIsZeroOutside() {
    Tensor data = ModuleChecks.uniform(35, 1, 3, 3, 1);
    Tensor warp = Tensor.of(new double[] {-3.3, 1.2, 1.4, 7.7}, 1, 2, 2);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(warp);
      Tensor y = Resampler.resample(data, warp).sum();
      assertThat(tape.gradient(y, warp).toDoubleArray()).containsOnly(0.0);
    }
  }

  @Test
  void resample_refusesBadShapes() {
    Tensor data = Tensor.zeros(DType.FLOAT32, 2, 3, 3, 1);
    assertThatThrownBy(() -> Resampler.resample(data, Tensor.zeros(DType.FLOAT32, 2, 4, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("resampler: warp must be [batch, ..., 2]");
    assertThatThrownBy(() -> Resampler.resample(data, Tensor.zeros(DType.FLOAT32, 3, 4, 2)))
        .hasMessageContaining("different batch sizes");
    assertThatThrownBy(() -> Resampler.resample(Tensor.zeros(DType.FLOAT32, 3, 3, 1), data))
        .hasMessageContaining("data must be [batch, height, width, channels]");
  }

  /** The plain-loop grid of a full matrix [[a, b, tx], [c, d, ty]]. */
  static double[] grid(double[] m, int srcH, int srcW, int outH, int outW) {
    double[] g = new double[outH * outW * 2];
    for (int r = 0; r < outH; r++) {
      for (int c = 0; c < outW; c++) {
        double u = outW == 1 ? -1 : -1 + 2.0 * c / (outW - 1);
        double v = outH == 1 ? -1 : -1 + 2.0 * r / (outH - 1);
        g[(r * outW + c) * 2] = (srcW - 1) / 2.0 * (m[0] * u + m[1] * v + m[2] + 1);
        g[(r * outW + c) * 2 + 1] = (srcH - 1) / 2.0 * (m[3] * u + m[4] * v + m[5] + 1);
      }
    }
    return g;
  }

  @Test
  void affineGridWarper_identityMapsCornersToCorners_andMatchesTheFormula() {
    AffineGridWarper warper = new AffineGridWarper(new int[] {5, 7}, new int[] {3, 4});
    Tensor identity = Tensor.of(new double[] {1, 0, 0, 0, 1, 0}, 1, 6);
    Tensor g = warper.call(identity);
    assertThat(g.shape()).isEqualTo(Shape.of(1, 3, 4, 2));
    double[] v = g.toDoubleArray();
    assertThat(new double[] {v[0], v[1], v[v.length - 2], v[v.length - 1]})
        .containsExactly(0, 0, 6, 4);
    double[] m = {0.8, -0.3, 0.1, 0.2, 1.1, -0.4};
    ModuleChecks.assertClose(warper.call(Tensor.of(m, 1, 6)), grid(m, 5, 7, 3, 4), 1e-12);
  }

  @Test
  void constraints_fixEntries_andTheFreeOnesAreReadInRowMajorOrder() {
    var translation =
        AffineWarpConstraints.noShear2d().combineWith(AffineWarpConstraints.scale2d(1.0, 1.0));
    assertThat(translation.numFreeParams()).isEqualTo(2);
    AffineGridWarper warper = new AffineGridWarper(new int[] {4, 4}, new int[] {2, 2}, translation);
    ModuleChecks.assertClose(
        warper.call(Tensor.of(new double[] {0.5, -0.25}, 1, 2)),
        grid(new double[] {1, 0, 0.5, 0, 1, -0.25}, 4, 4, 2, 2),
        1e-12);
    assertThat(AffineWarpConstraints.translation2d(null, 0.0).numFreeParams()).isEqualTo(5);
    assertThat(AffineWarpConstraints.noShear3d().numFreeParams()).isEqualTo(6);
    assertThatThrownBy(
            () ->
                AffineWarpConstraints.scale2d(1.0, null)
                    .combineWith(AffineWarpConstraints.scale2d(2.0, null)))
        .hasMessageContaining("incompatible set of constraints");
    assertThatThrownBy(
            () ->
                new AffineGridWarper(
                    new int[] {4, 4},
                    new int[] {2, 2},
                    AffineWarpConstraints.noShear2d()
                        .combineWith(AffineWarpConstraints.scale2d(1.0, 1.0))
                        .combineWith(AffineWarpConstraints.translation2d(0.0, 0.0))))
        .hasMessageContaining("fully constrained");
    assertThatThrownBy(() -> warper.call(Tensor.zeros(DType.FLOAT64, 1, 6)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("2] parameters expected");
  }

  @Test
  void inverse_isTheGridOfTheInverseTransform() {
    AffineGridWarper warper = new AffineGridWarper(new int[] {6, 8}, new int[] {3, 4});
    double[] m = {0.8, -0.3, 0.1, 0.2, 1.1, -0.4};
    Tensor inv = warper.inverse().call(Tensor.of(m, 1, 6));
    // The inverse of [[A, t]] is [[A^-1, -A^-1 t]], from the 4 x 3 output back to the 6 x 8 source.
    double det = m[0] * m[4] - m[1] * m[3];
    double a = m[4] / det;
    double b = -m[1] / det;
    double c = -m[3] / det;
    double d = m[0] / det;
    double[] mi = {a, b, -(a * m[2] + b * m[5]), c, d, -(c * m[2] + d * m[5])};
    assertThat(inv.shape()).isEqualTo(Shape.of(1, 6, 8, 2));
    ModuleChecks.assertClose(inv, grid(mi, 3, 4, 6, 8), 1e-12);
  }

  @Test
  void warpThenResample_gradientsReachTheParameters() {
    AffineGridWarper warper = new AffineGridWarper(new int[] {4, 4}, new int[] {3, 3});
    Tensor images = ModuleChecks.uniform(36, 1, 4, 4, 1);
    Tensor theta = Tensor.of(new double[] {0.83, 0.07, 0.11, -0.05, 0.91, 0.03}, 1, 6);
    GradientCheck.check(in -> Resampler.resample(images, warper.call(in[0])), theta);
    assertThat(List.of(warper.sourceShape()[0], warper.outputShape()[1])).containsExactly(4, 3);
  }
}
