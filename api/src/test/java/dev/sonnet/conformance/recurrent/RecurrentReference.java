package dev.sonnet.conformance.recurrent;

/**
 * Independent per-step references for the recurrent cores, in float64 with plain Java loops over
 * row-major arrays: no library op is used, so a wrong gate order, slice or formula in the library
 * shows up as a mismatch. Each step maps one example's input row and state rows to new rows.
 */
final class RecurrentReference {
  private RecurrentReference() {}

  /** Row {@code x[in]} times {@code w[in, out]}, columns {@code [from, from + n)}. */
  static double[] rowTimes(double[] x, double[] w, int out, int from, int n) {
    double[] y = new double[n];
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int p = 0; p < x.length; p++) {
        s += x[p] * w[p * out + from + j];
      }
      y[j] = s;
    }
    return y;
  }

  static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /** {@code h' = tanh(x wi + h wh + b)}. */
  static double[] vanilla(double[] x, double[] h, double[] wi, double[] wh, double[] b) {
    int n = h.length;
    double[] xw = rowTimes(x, wi, n, 0, n);
    double[] hw = rowTimes(h, wh, n, 0, n);
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      out[j] = Math.tanh(xw[j] + hw[j] + b[j]);
    }
    return out;
  }

  /** The LSTM's variables; {@code projection} and the diagonals may be null. */
  record LstmWeights(
      int hidden,
      double[] wi,
      double[] wh,
      double[] b,
      double[] projection,
      int projectionSize,
      double[] wfDiag,
      double[] wiDiag,
      double[] woDiag,
      Double cellClip) {}

  /** One LSTM step for one example: returns {@code {hidden', cell'}}. */
  static double[][] lstm(double[] x, double[] h, double[] c, LstmWeights w) {
    int n = w.hidden();
    int cols = 4 * n;
    double[] i = add(rowTimes(x, w.wi(), cols, 0, n), rowTimes(h, w.wh(), cols, 0, n));
    double[] f = add(rowTimes(x, w.wi(), cols, n, n), rowTimes(h, w.wh(), cols, n, n));
    double[] g = add(rowTimes(x, w.wi(), cols, 2 * n, n), rowTimes(h, w.wh(), cols, 2 * n, n));
    double[] o = add(rowTimes(x, w.wi(), cols, 3 * n, n), rowTimes(h, w.wh(), cols, 3 * n, n));
    double[] cell = new double[n];
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      double ig = i[j] + w.b()[j] + (w.wiDiag() == null ? 0 : w.wiDiag()[j] * c[j]);
      double fg = f[j] + w.b()[n + j] + (w.wfDiag() == null ? 0 : w.wfDiag()[j] * c[j]);
      double gg = g[j] + w.b()[2 * n + j];
      double cj = sigmoid(fg) * c[j] + sigmoid(ig) * Math.tanh(gg);
      if (w.cellClip() != null) {
        cj = Math.max(-w.cellClip(), Math.min(w.cellClip(), cj));
      }
      double og = o[j] + w.b()[3 * n + j] + (w.woDiag() == null ? 0 : w.woDiag()[j] * cj);
      cell[j] = cj;
      out[j] = sigmoid(og) * Math.tanh(cj);
    }
    if (w.projection() != null) {
      out = rowTimes(out, w.projection(), w.projectionSize(), 0, w.projectionSize());
    }
    return new double[][] {out, cell};
  }

  /** One GRU step for one example, gates z, r, a; {@code h' = (1 - z) h + z a}. */
  static double[] gru(double[] x, double[] h, double[] wi, double[] wh, double[] b) {
    int n = h.length;
    int cols = 3 * n;
    double[] xz = rowTimes(x, wi, cols, 0, n);
    double[] xr = rowTimes(x, wi, cols, n, n);
    double[] xa = rowTimes(x, wi, cols, 2 * n, n);
    double[] hz = rowTimes(h, wh, cols, 0, n);
    double[] hr = rowTimes(h, wh, cols, n, n);
    double[] r = new double[n];
    double[] z = new double[n];
    for (int j = 0; j < n; j++) {
      z[j] = sigmoid(xz[j] + hz[j] + b[j]);
      r[j] = sigmoid(xr[j] + hr[j] + b[n + j]);
    }
    double[] rh = new double[n];
    for (int j = 0; j < n; j++) {
      rh[j] = r[j] * h[j];
    }
    double[] ha = rowTimes(rh, wh, cols, 2 * n, n);
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      double a = Math.tanh(xa[j] + ha[j] + b[2 * n + j]);
      out[j] = (1 - z[j]) * h[j] + z[j] * a;
    }
    return out;
  }

  private static double[] add(double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  /** Row {@code r} of a row-major {@code [rows, n]} array. */
  static double[] row(double[] m, int r, int n) {
    return java.util.Arrays.copyOfRange(m, r * n, (r + 1) * n);
  }
}
