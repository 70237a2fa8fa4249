package dev.sonnet.conformance.nn;

/**
 * Plain-loop reference computations for the module tests, on channels-last double arrays; written
 * independently of the ops they check.
 */
public final class NnReference {
  private NnReference() {}

  /** {@code x [m, k] @ w [k, n] (+ b [n])}. */
  public static double[] linear(double[] x, int m, int k, double[] w, int n, double[] b) {
    double[] y = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = b == null ? 0 : b[j];
        for (int p = 0; p < k; p++) {
          s += x[i * k + p] * w[p * n + j];
        }
        y[i * n + j] = s;
      }
    }
    return y;
  }

  /** TensorFlow SAME padding before each spatial dimension, and the output size. */
  public static int[][] same(int[] in, int[] k, int[] s, int[] d) {
    int n = in.length;
    int[] before = new int[n];
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int kEff = (k[i] - 1) * d[i] + 1;
      out[i] = (in[i] + s[i] - 1) / s[i];
      int total = Math.max((out[i] - 1) * s[i] + kEff - in[i], 0);
      before[i] = total / 2;
    }
    return new int[][] {before, out};
  }

  /** Output size for explicit padding. */
  public static int[] explicitOut(int[] in, int[] k, int[] s, int[] d, int[] before, int[] after) {
    int[] out = new int[in.length];
    for (int i = 0; i < in.length; i++) {
      int kEff = (k[i] - 1) * d[i] + 1;
      out[i] = (in[i] + before[i] + after[i] - kEff) / s[i] + 1;
    }
    return out;
  }

  /** Product of {@code a}'s entries. */
  public static int prod(int[] a) {
    int p = 1;
    for (int v : a) {
      p *= v;
    }
    return p;
  }

  /** Row-major multi-index of {@code flat} in {@code dims}. */
  public static int[] unravel(int flat, int[] dims) {
    int[] idx = new int[dims.length];
    for (int i = dims.length - 1; i >= 0; i--) {
      idx[i] = flat % dims[i];
      flat /= dims[i];
    }
    return idx;
  }

  /** Row-major flat offset of {@code idx} in {@code dims}. */
  public static int ravel(int[] idx, int[] dims) {
    int f = 0;
    for (int i = 0; i < dims.length; i++) {
      f = f * dims[i] + idx[i];
    }
    return f;
  }

  /**
   * Convolution, channels-last: {@code x [batch, in..., c]}, {@code w [k..., c, o]}; output {@code
   * [batch, out..., o]}, zero padding {@code before} each spatial dimension.
   */
  public static double[] conv(
      double[] x,
      int batch,
      int[] in,
      int c,
      double[] w,
      int[] k,
      int o,
      int[] s,
      int[] d,
      int[] before,
      int[] out) {
    return conv(x, batch, in, c, w, k, o, 1, s, d, before, out);
  }

  /**
   * Grouped convolution, channels-last: {@code x [batch, in..., c]}, {@code w [k..., c / groups,
   * o]}; output channel {@code oc} reads input channels {@code g * c / groups} onwards with {@code
   * g = oc / (o / groups)}. Output {@code [batch, out..., o]}, zero padding {@code before} each
   * spatial dimension.
   */
  public static double[] conv(
      double[] x,
      int batch,
      int[] in,
      int c,
      double[] w,
      int[] k,
      int o,
      int groups,
      int[] s,
      int[] d,
      int[] before,
      int[] out) {
    int n = in.length;
    int cg = c / groups;
    int og = o / groups;
    int inSize = prod(in);
    int outSize = prod(out);
    int kSize = prod(k);
    double[] y = new double[batch * outSize * o];
    for (int b = 0; b < batch; b++) {
      for (int op = 0; op < outSize; op++) {
        int[] oi = unravel(op, out);
        for (int kp = 0; kp < kSize; kp++) {
          int[] ki = unravel(kp, k);
          int[] ii = new int[n];
          boolean inside = true;
          for (int t = 0; t < n; t++) {
            ii[t] = oi[t] * s[t] - before[t] + ki[t] * d[t];
            inside &= ii[t] >= 0 && ii[t] < in[t];
          }
          if (!inside) {
            continue;
          }
          int xp = ravel(ii, in);
          for (int g = 0; g < groups; g++) {
            for (int ci = 0; ci < cg; ci++) {
              double xv = x[(b * inSize + xp) * c + g * cg + ci];
              for (int oc = g * og; oc < (g + 1) * og; oc++) {
                y[(b * outSize + op) * o + oc] += xv * w[(kp * cg + ci) * o + oc];
              }
            }
          }
        }
      }
    }
    return y;
  }

  /**
   * Transposed convolution, channels-last: {@code x [batch, in..., ci]}, {@code w [k..., o, ci]};
   * output {@code [batch, out..., o]}: each input position scatters into {@code i * s - before + k
   * * d}.
   */
  public static double[] convTranspose(
      double[] x,
      int batch,
      int[] in,
      int ci,
      double[] w,
      int[] k,
      int o,
      int[] s,
      int[] d,
      int[] before,
      int[] out) {
    int n = in.length;
    int inSize = prod(in);
    int outSize = prod(out);
    int kSize = prod(k);
    double[] y = new double[batch * outSize * o];
    for (int b = 0; b < batch; b++) {
      for (int ip = 0; ip < inSize; ip++) {
        int[] ii = unravel(ip, in);
        for (int kp = 0; kp < kSize; kp++) {
          int[] ki = unravel(kp, k);
          int[] oi = new int[n];
          boolean inside = true;
          for (int t = 0; t < n; t++) {
            oi[t] = ii[t] * s[t] - before[t] + ki[t] * d[t];
            inside &= oi[t] >= 0 && oi[t] < out[t];
          }
          if (!inside) {
            continue;
          }
          int yp = ravel(oi, out);
          for (int c = 0; c < ci; c++) {
            double xv = x[(b * inSize + ip) * ci + c];
            for (int oc = 0; oc < o; oc++) {
              y[(b * outSize + yp) * o + oc] += xv * w[(kp * o + oc) * ci + c];
            }
          }
        }
      }
    }
    return y;
  }

  /** Adds {@code bias[c]} to the last axis. */
  public static double[] addBias(double[] y, double[] bias) {
    double[] out = y.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += bias[i % bias.length];
    }
    return out;
  }

  /** Channels-last {@code [b, s..., c]} to channels-first {@code [b, c, s...]}. */
  public static double[] toChannelsFirst(double[] x, int batch, int spatial, int c) {
    double[] out = new double[x.length];
    for (int b = 0; b < batch; b++) {
      for (int p = 0; p < spatial; p++) {
        for (int ch = 0; ch < c; ch++) {
          out[(b * c + ch) * spatial + p] = x[(b * spatial + p) * c + ch];
        }
      }
    }
    return out;
  }

  /**
   * A depthwise kernel {@code [k..., c, m]} written as the equivalent dense kernel {@code [k..., c,
   * c * m]}: output channel {@code ci * m + j} reads only input channel {@code ci}, with filter
   * {@code j}; every other entry is zero. Feeding it to {@link #conv} gives the depthwise
   * convolution.
   */
  public static double[] depthwiseAsDense(double[] w, int kSize, int c, int m) {
    double[] dense = new double[kSize * c * c * m];
    for (int kp = 0; kp < kSize; kp++) {
      for (int ci = 0; ci < c; ci++) {
        for (int j = 0; j < m; j++) {
          dense[(kp * c + ci) * (c * m) + ci * m + j] = w[(kp * c + ci) * m + j];
        }
      }
    }
    return dense;
  }
}
