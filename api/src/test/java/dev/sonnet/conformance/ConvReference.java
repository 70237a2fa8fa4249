package dev.sonnet.conformance;

/**
 * Direct (definition-level) convolution, transposed convolution and pooling on double arrays, in
 * plain loops: the independent oracle for the convolution conformance tests. Channels-last
 * layouts throughout; nothing here shares code with the library.
 */
final class ConvReference {
  private ConvReference() {}

  /** Output spatial sizes and padding before, by TensorFlow's rules. */
  record Resolved(int[] out, int[] before) {}

  /**
   * Resolves {@code padding} ("SAME", "VALID" or "EXPLICIT" with {@code explicit[d] = {before,
   * after}}).
   */
  static Resolved resolve(String padding, int[] in, int[] k, int[] s, int[] d, int[][] explicit) {
    int n = in.length;
    int[] out = new int[n];
    int[] before = new int[n];
    for (int i = 0; i < n; i++) {
      int kEff = (k[i] - 1) * d[i] + 1;
      switch (padding) {
        case "SAME" -> {
          out[i] = (in[i] + s[i] - 1) / s[i];
          int total = Math.max((out[i] - 1) * s[i] + kEff - in[i], 0);
          before[i] = total / 2;
        }
        case "VALID" -> out[i] = (in[i] - kEff) / s[i] + 1;
        default -> {
          before[i] = explicit[i][0];
          out[i] = (in[i] + explicit[i][0] + explicit[i][1] - kEff) / s[i] + 1;
        }
      }
    }
    return new Resolved(out, before);
  }

  static int product(int[] dims) {
    int p = 1;
    for (int v : dims) {
      p *= v;
    }
    return p;
  }

  /** {@code n} uniform values in [-1, 1) from a fixed seed. */
  static double[] random(long seed, int n) {
    java.util.Random r = new java.util.Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = 2 * r.nextDouble() - 1;
    }
    return v;
  }

  /** {@code v} (one value, or one per dimension) for {@code n} spatial dimensions. */
  static int[] replicate(int[] v, int n) {
    if (v.length == n) {
      return v;
    }
    int[] out = new int[n];
    java.util.Arrays.fill(out, v[0]);
    return out;
  }

  /** {@code [first, spatial..., last]}. */
  static int[] shape(int first, int[] spatial, int last) {
    int[] s = new int[spatial.length + 2];
    s[0] = first;
    System.arraycopy(spatial, 0, s, 1, spatial.length);
    s[s.length - 1] = last;
    return s;
  }

  /** {@code [kernel..., a, b]}. */
  static int[] filterShape(int[] kernel, int a, int b) {
    int[] s = java.util.Arrays.copyOf(kernel, kernel.length + 2);
    s[kernel.length] = a;
    s[kernel.length + 1] = b;
    return s;
  }

  /** Row-major multi-index of {@code flat} in {@code dims}. */
  static int[] unravel(int flat, int[] dims) {
    int[] idx = new int[dims.length];
    for (int i = dims.length - 1; i >= 0; i--) {
      idx[i] = flat % dims[i];
      flat /= dims[i];
    }
    return idx;
  }

  /** Row-major flat offset of {@code idx} in {@code dims}. */
  static int ravel(int[] idx, int[] dims) {
    int flat = 0;
    for (int i = 0; i < dims.length; i++) {
      flat = flat * dims[i] + idx[i];
    }
    return flat;
  }

  /**
   * {@code y[b, o..., oc] = sum over k..., ci of x[b, o*s - before + k*d, g*cg + ci] * w[k..., ci,
   * oc]} with {@code g = oc / (O / groups)}.
   */
  static double[] conv(double[] x, int[] xShape, double[] w, int[] wShape, int[] s, int[] d,
      int[] before, int[] out) {
    int n = wShape.length - 2;
    int batch = xShape[0];
    int[] in = java.util.Arrays.copyOfRange(xShape, 1, n + 1);
    int c = xShape[n + 1];
    int[] k = java.util.Arrays.copyOf(wShape, n);
    int cg = wShape[n];
    int oc = wShape[n + 1];
    int og = oc / (c / cg);
    int outVol = product(out);
    int kVol = product(k);
    double[] y = new double[batch * outVol * oc];
    for (int b = 0; b < batch; b++) {
      for (int o = 0; o < outVol; o++) {
        int[] oi = unravel(o, out);
        for (int j = 0; j < oc; j++) {
          int g = j / og;
          double sum = 0;
          for (int kk = 0; kk < kVol; kk++) {
            int[] ki = unravel(kk, k);
            int[] ii = new int[n];
            boolean inside = true;
            for (int t = 0; t < n; t++) {
              ii[t] = oi[t] * s[t] - before[t] + ki[t] * d[t];
              inside &= ii[t] >= 0 && ii[t] < in[t];
            }
            if (!inside) {
              continue;
            }
            int xBase = (b * product(in) + ravel(ii, in)) * c + g * cg;
            for (int ci = 0; ci < cg; ci++) {
              sum += x[xBase + ci] * w[(kk * cg + ci) * oc + j];
            }
          }
          y[(b * outVol + o) * oc + j] = sum;
        }
      }
    }
    return y;
  }

  /**
   * The transposed convolution by scattering: every input element {@code x[b, o..., ic]} adds
   * {@code x * w[k..., oc, ic]} to {@code y[b, o*s - before + k*d, oc]} where inside.
   */
  static double[] convTranspose(double[] x, int[] xShape, double[] w, int[] wShape, int[] s,
      int[] d, int[] before, int[] outSpatial) {
    int n = wShape.length - 2;
    int batch = xShape[0];
    int[] in = java.util.Arrays.copyOfRange(xShape, 1, n + 1);
    int ic = xShape[n + 1];
    int[] k = java.util.Arrays.copyOf(wShape, n);
    int oc = wShape[n];
    int inVol = product(in);
    int outVol = product(outSpatial);
    int kVol = product(k);
    double[] y = new double[batch * outVol * oc];
    for (int b = 0; b < batch; b++) {
      for (int o = 0; o < inVol; o++) {
        int[] oi = unravel(o, in);
        for (int kk = 0; kk < kVol; kk++) {
          int[] ki = unravel(kk, k);
          int[] pi = new int[n];
          boolean inside = true;
          for (int t = 0; t < n; t++) {
            pi[t] = oi[t] * s[t] - before[t] + ki[t] * d[t];
            inside &= pi[t] >= 0 && pi[t] < outSpatial[t];
          }
          if (!inside) {
            continue;
          }
          int yBase = (b * outVol + ravel(pi, outSpatial)) * oc;
          for (int co = 0; co < oc; co++) {
            for (int ci = 0; ci < ic; ci++) {
              y[yBase + co] += x[(b * inVol + o) * ic + ci] * w[(kk * oc + co) * ic + ci];
            }
          }
        }
      }
    }
    return y;
  }

  /** Max or average (padding not counted) pooling. */
  static double[] pool(boolean max, double[] x, int[] xShape, int[] window, int[] s,
      int[] before, int[] out) {
    int n = window.length;
    int batch = xShape[0];
    int[] in = java.util.Arrays.copyOfRange(xShape, 1, n + 1);
    int c = xShape[n + 1];
    int outVol = product(out);
    int kVol = product(window);
    double[] y = new double[batch * outVol * c];
    for (int b = 0; b < batch; b++) {
      for (int o = 0; o < outVol; o++) {
        int[] oi = unravel(o, out);
        for (int ch = 0; ch < c; ch++) {
          double acc = max ? Double.NEGATIVE_INFINITY : 0;
          int count = 0;
          for (int kk = 0; kk < kVol; kk++) {
            int[] ki = unravel(kk, window);
            int[] ii = new int[n];
            boolean inside = true;
            for (int t = 0; t < n; t++) {
              ii[t] = oi[t] * s[t] - before[t] + ki[t];
              inside &= ii[t] >= 0 && ii[t] < in[t];
            }
            if (inside) {
              double v = x[(b * product(in) + ravel(ii, in)) * c + ch];
              acc = max ? Math.max(acc, v) : acc + v;
              count++;
            }
          }
          y[(b * outVol + o) * c + ch] = max ? acc : acc / count;
        }
      }
    }
    return y;
  }

  /** {@code [b, spatial..., c]} to {@code [b, c, spatial...]}. */
  static double[] toChannelsFirst(double[] x, int[] lastShape) {
    int r = lastShape.length;
    int c = lastShape[r - 1];
    int batch = lastShape[0];
    int vol = product(lastShape) / (batch * c);
    double[] out = new double[x.length];
    for (int b = 0; b < batch; b++) {
      for (int p = 0; p < vol; p++) {
        for (int ch = 0; ch < c; ch++) {
          out[(b * c + ch) * vol + p] = x[(b * vol + p) * c + ch];
        }
      }
    }
    return out;
  }

  /** {@code [b, spatial..., c]} to {@code [b, c, spatial...]} for a shape. */
  static int[] channelsFirstShape(int[] lastShape) {
    int r = lastShape.length;
    int[] s = new int[r];
    s[0] = lastShape[0];
    s[1] = lastShape[r - 1];
    System.arraycopy(lastShape, 1, s, 2, r - 2);
    return s;
  }

  /** {@code [b, c, spatial...]} to {@code [b, spatial..., c]}. */
  static double[] toChannelsLast(double[] x, int[] firstShape) {
    int batch = firstShape[0];
    int c = firstShape[1];
    int vol = product(firstShape) / (batch * c);
    double[] out = new double[x.length];
    for (int b = 0; b < batch; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < vol; p++) {
          out[(b * vol + p) * c + ch] = x[(b * c + ch) * vol + p];
        }
      }
    }
    return out;
  }
}
