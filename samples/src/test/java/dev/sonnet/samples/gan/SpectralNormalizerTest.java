package dev.sonnet.samples.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

class SpectralNormalizerTest {
  /** A module owning one weight matrix, so the normalizer has a variable to rescale. */
  static final class Weights extends Module {
    final double[] values;
    final int rows;
    final int columns;
    @Param Variable w;

    Weights(double[] values, int rows, int columns) {
      super(null);
      this.values = values;
      this.rows = rows;
      this.columns = columns;
    }

    @Build
    void initialize(Tensor x) {
      w = variable("w", Initializers.zeros(), DType.FLOAT64, rows, columns);
      w.assign(Tensor.of(values, rows, columns));
    }

    Variable built() {
      build(Tensor.zeros(DType.FLOAT64, 1, rows));
      return w;
    }
  }

  private static final double[] W = {3, 1, 0.5, -2, 4, 1, 0, 1, 2, 1.5, -1, 0.25};
  private static final int ROWS = 4;
  private static final int COLUMNS = 3;

  /** One step of the power iteration in plain double loops. */
  private static double[][] referenceStep(double[] w, double[] u) {
    double[] v = new double[ROWS];
    for (int r = 0; r < ROWS; r++) {
      for (int c = 0; c < COLUMNS; c++) {
        v[r] += u[c] * w[r * COLUMNS + c];
      }
    }
    normalize(v);
    double[] vw = new double[COLUMNS];
    for (int c = 0; c < COLUMNS; c++) {
      for (int r = 0; r < ROWS; r++) {
        vw[c] += v[r] * w[r * COLUMNS + c];
      }
    }
    double[] next = vw.clone();
    normalize(next);
    double sigma = 0;
    for (int c = 0; c < COLUMNS; c++) {
      sigma += vw[c] * next[c];
    }
    double[] scaled = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      scaled[i] = w[i] / sigma;
    }
    return new double[][] {next, scaled, {sigma}};
  }

  private static void normalize(double[] x) {
    double s = 0;
    for (double e : x) {
      s += e * e;
    }
    double inv = 1 / Math.sqrt(Math.max(s, SpectralNormalizer.DEFAULT_EPSILON));
    for (int i = 0; i < x.length; i++) {
      x[i] *= inv;
    }
  }

  @Test
  void oneTrainingCall_isOnePowerIterationStep_onUAndTheWeights() {
    Variable w = new Weights(W, ROWS, COLUMNS).built();
    var normalizer = new SpectralNormalizer();
    normalizer.normalize(w, false); // builds u, changes nothing
    double[] u0 = normalizer.u.read().toDoubleArray();
    assertThat(w.read().toDoubleArray()).containsExactly(W);
    // u starts as a unit vector.
    double norm = 0;
    for (double e : u0) {
      norm += e * e;
    }
    assertThat(norm).isCloseTo(1.0, within(1e-12));

    Tensor sigma = normalizer.normalize(w, true);

    double[][] expected = referenceStep(W, u0);
    // float64 throughout: a few dozen operations of relative error 1e-16 each.
    assertThat(normalizer.u.read().toDoubleArray()).containsExactly(expected[0], within(1e-12));
    assertThat(w.read().toDoubleArray()).containsExactly(expected[1], within(1e-12));
    assertThat(sigma.item()).isCloseTo(expected[2][0], within(1e-12));
  }

  @Test
  void repeatedCalls_bringTheLargestSingularValueTo1() {
    Variable w = new Weights(W, ROWS, COLUMNS).built();
    var normalizer = new SpectralNormalizer();
    double sigma = 0;
    for (int i = 0; i < 60; i++) {
      sigma = normalizer.normalize(w, true).item();
    }
    // Once u has converged, sigma is the largest singular value of the current (already
    // normalised) weights: 1. The power iteration converges geometrically at the ratio of the
    // two largest squared singular values (below 0.5 for this matrix), so 60 steps leave far less
    // than 1e-9.
    assertThat(sigma).isCloseTo(1.0, within(1e-9));
    double[] current = w.read().toDoubleArray();
    assertThat(largestSingularValue(current)).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void outsideTraining_nothingChanges() {
    Variable w = new Weights(W, ROWS, COLUMNS).built();
    var normalizer = new SpectralNormalizer();
    normalizer.normalize(w, false);
    double[] u0 = normalizer.u.read().toDoubleArray();

    assertThat(normalizer.normalize(w, false).item()).isEqualTo(1.0);
    assertThat(w.read().toDoubleArray()).containsExactly(W);
    assertThat(normalizer.u.read().toDoubleArray()).containsExactly(u0);
    assertThat(normalizer.u.trainable()).isFalse();
  }

  /** sqrt of the largest eigenvalue of W^T W, by 500 plain power-iteration steps from all ones. */
  private static double largestSingularValue(double[] w) {
    double[] x = {1, 1, 1};
    double lambda = 0;
    for (int it = 0; it < 500; it++) {
      double[] wx = new double[ROWS];
      for (int r = 0; r < ROWS; r++) {
        for (int c = 0; c < COLUMNS; c++) {
          wx[r] += w[r * COLUMNS + c] * x[c];
        }
      }
      double[] y = new double[COLUMNS];
      for (int c = 0; c < COLUMNS; c++) {
        for (int r = 0; r < ROWS; r++) {
          y[c] += w[r * COLUMNS + c] * wx[r];
        }
      }
      double n = 0;
      for (double e : y) {
        n += e * e;
      }
      n = Math.sqrt(n);
      double xn = 0;
      for (double e : x) {
        xn += e * e;
      }
      lambda = n / Math.sqrt(xn);
      for (int c = 0; c < COLUMNS; c++) {
        x[c] = y[c] / n;
      }
    }
    return Math.sqrt(lambda);
  }
}
