package dev.sonnet.conformance;

import dev.sonnet.conformance.nn.NnReference;

/**
 * Direct (definition-level) convolution, transposed convolution and pooling on double arrays, in
 * plain loops: the independent oracle for the convolution conformance tests. Channels-last layouts
 * throughout; the convolutions and index helpers are {@link NnReference}'s, and nothing here shares
 * code with the library.
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
    if (padding.equals("SAME")) {
      int[][] same = NnReference.same(in, k, s, d);
      return new Resolved(same[1], same[0]);
    }
    int[] before = new int[n];
    int[] after = new int[n];
    if (!padding.equals("VALID")) {
      for (int i = 0; i < n; i++) {
        before[i] = explicit[i][0];
        after[i] = explicit[i][1];
      }
    }
    return new Resolved(NnReference.explicitOut(in, k, s, d, before, after), before);
  }

  static int product(int[] dims) {
    return NnReference.prod(dims);
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

  /**
   * {@code y[b, o..., oc] = sum over k..., ci of x[b, o*s - before + k*d, g*cg + ci] * w[k..., ci,
   * oc]} with {@code g = oc / (O / groups)}.
   */
  static double[] conv(
      double[] x,
      int[] xShape,
      double[] w,
      int[] wShape,
      int[] s,
      int[] d,
      int[] before,
      int[] out) {
    int n = wShape.length - 2;
    int[] in = java.util.Arrays.copyOfRange(xShape, 1, n + 1);
    int c = xShape[n + 1];
    int[] k = java.util.Arrays.copyOf(wShape, n);
    int groups = c / wShape[n];
    return NnReference.conv(x, xShape[0], in, c, w, k, wShape[n + 1], groups, s, d, before, out);
  }

  /**
   * The transposed convolution by scattering: every input element {@code x[b, o..., ic]} adds
   * {@code x * w[k..., oc, ic]} to {@code y[b, o*s - before + k*d, oc]} where inside.
   */
  static double[] convTranspose(
      double[] x,
      int[] xShape,
      double[] w,
      int[] wShape,
      int[] s,
      int[] d,
      int[] before,
      int[] outSpatial) {
    int n = wShape.length - 2;
    int[] in = java.util.Arrays.copyOfRange(xShape, 1, n + 1);
    int[] k = java.util.Arrays.copyOf(wShape, n);
    return NnReference.convTranspose(
        x, xShape[0], in, xShape[n + 1], w, k, wShape[n], s, d, before, outSpatial);
  }

  /** Max or average (padding not counted) pooling. */
  static double[] pool(
      boolean max, double[] x, int[] xShape, int[] window, int[] s, int[] before, int[] out) {
    int n = window.length;
    int batch = xShape[0];
    int[] in = java.util.Arrays.copyOfRange(xShape, 1, n + 1);
    int c = xShape[n + 1];
    int outVol = product(out);
    int kVol = product(window);
    double[] y = new double[batch * outVol * c];
    for (int b = 0; b < batch; b++) {
      for (int o = 0; o < outVol; o++) {
        int[] oi = NnReference.unravel(o, out);
        for (int ch = 0; ch < c; ch++) {
          double acc = max ? Double.NEGATIVE_INFINITY : 0;
          int count = 0;
          for (int kk = 0; kk < kVol; kk++) {
            int[] ki = NnReference.unravel(kk, window);
            int[] ii = new int[n];
            boolean inside = true;
            for (int t = 0; t < n; t++) {
              ii[t] = oi[t] * s[t] - before[t] + ki[t];
              inside &= ii[t] >= 0 && ii[t] < in[t];
            }
            if (inside) {
              double v = x[(b * product(in) + NnReference.ravel(ii, in)) * c + ch];
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
    int c = lastShape[lastShape.length - 1];
    int batch = lastShape[0];
    return NnReference.toChannelsFirst(x, batch, product(lastShape) / (batch * c), c);
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
