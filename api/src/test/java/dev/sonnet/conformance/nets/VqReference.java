package dev.sonnet.conformance.nets;

/**
 * Plain-loop nearest-code search for the vector quantiser tests: codes are the columns of {@code e
 * [d, k]}, inputs the rows of {@code x [n, d]}.
 */
final class VqReference {
  private VqReference() {}

  /**
   * Squared Euclidean distance from row {@code i} of {@code x} to column {@code j} of {@code e}.
   */
  static double distance(double[] x, int i, double[] e, int j, int d, int k) {
    double s = 0;
    for (int c = 0; c < d; c++) {
      double diff = x[i * d + c] - e[c * k + j];
      s += diff * diff;
    }
    return s;
  }

  /** The index of the nearest code for each row (the first one on a tie). */
  static int[] nearest(double[] x, int n, double[] e, int d, int k) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        double dist = distance(x, i, e, j, d, k);
        if (dist < best) {
          best = dist;
          idx[i] = j;
        }
      }
    }
    return idx;
  }

  /** Row {@code i} of the result is code {@code idx[i]}: {@code [n, d]}. */
  static double[] lookup(int[] idx, double[] e, int d, int k) {
    double[] q = new double[idx.length * d];
    for (int i = 0; i < idx.length; i++) {
      for (int c = 0; c < d; c++) {
        q[i * d + c] = e[c * k + idx[i]];
      }
    }
    return q;
  }

  /** {@code mean((a - b)^2)}. */
  static double meanSquaredDifference(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]) / a.length;
    }
    return s;
  }

  /** How many rows chose each code. */
  static double[] counts(int[] idx, int k) {
    double[] c = new double[k];
    for (int i : idx) {
      c[i]++;
    }
    return c;
  }
}
