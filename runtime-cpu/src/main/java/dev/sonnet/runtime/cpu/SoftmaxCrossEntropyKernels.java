package dev.sonnet.runtime.cpu;

import dev.sonnet.SonnetException;

/**
 * The CPU side of {@link dev.sonnet.backend.SoftmaxCrossEntropy}: one row at a time, in double (the
 * row's maximum, the sum of shifted exponentials, its log), each result rounded once. Rows split
 * across {@link CpuParallel}; each row's arithmetic is the same in any split.
 */
final class SoftmaxCrossEntropyKernels {
  private SoftmaxCrossEntropyKernels() {}

  static void loss(CpuBuffer logits, CpuBuffer labels, int rows, int classes, CpuBuffer loss) {
    checkLabels(labels, rows, classes);
    CpuParallel.parallelFor(
        rows,
        CpuParallel.grainFor(8L * classes),
        (from, to) -> {
          for (int r = from; r < to; r++) {
            double lse = logSumExp(logits, r * classes, classes);
            double picked = value(logits, r * classes + label(labels, r));
            set(loss, r, lse - picked);
          }
        });
  }

  static void gradient(
      CpuBuffer logits,
      CpuBuffer labels,
      CpuBuffer upstream,
      int rows,
      int classes,
      CpuBuffer gradient) {
    checkLabels(labels, rows, classes);
    CpuParallel.parallelFor(
        rows,
        CpuParallel.grainFor(8L * classes),
        (from, to) -> {
          for (int r = from; r < to; r++) {
            int base = r * classes;
            double lse = logSumExp(logits, base, classes);
            double u = value(upstream, r);
            int y = label(labels, r);
            for (int c = 0; c < classes; c++) {
              double p = Math.exp(value(logits, base + c) - lse);
              set(gradient, base + c, (p - (c == y ? 1.0 : 0.0)) * u);
            }
          }
        });
  }

  private static double logSumExp(CpuBuffer z, int base, int classes) {
    double m = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) m = Math.max(m, value(z, base + c));
    if (m == Double.NEGATIVE_INFINITY || Double.isNaN(m)) {
      return m; // all -inf: the loss is NaN (-inf - -inf) as in the unfused ops; NaN stays NaN
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) sum += Math.exp(value(z, base + c) - m);
    return m + Math.log(sum);
  }

  private static double value(CpuBuffer b, int i) {
    return b.array() instanceof float[] f ? f[i] : b.f64()[i];
  }

  private static void set(CpuBuffer b, int i, double v) {
    if (b.array() instanceof float[] f) {
      f[i] = (float) v;
    } else {
      b.f64()[i] = v;
    }
  }

  private static int label(CpuBuffer labels, int r) {
    return labels.array() instanceof int[] l ? l[r] : (int) labels.i64()[r];
  }

  private static void checkLabels(CpuBuffer labels, int rows, int classes) {
    for (int r = 0; r < rows; r++) {
      long y = labels.array() instanceof int[] l ? l[r] : labels.i64()[r];
      if (y < 0 || y >= classes) {
        throw new SonnetException(
            "softmax_cross_entropy: label "
                + y
                + " of example "
                + r
                + " is outside [0, "
                + classes
                + ")");
      }
    }
  }
}
