package dev.sonnet.runtime.cpu;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.DType;

/**
 * The reference reductions.
 *
 * <p><b>SUM, PROD, MAX, MIN</b> over any set of axes: the input is walked row by row with {@link
 * StridedRows}, pairing it with the output viewed at stride 0 along reduced axes; each row either
 * folds into one output element (innermost axis reduced) or combines elementwise into an output row
 * (innermost axis kept). Accumulators are double for floating inputs (so float32 sums and products
 * round once, at the end) and long for integers (wrapping like Java arithmetic, and equal modulo
 * 2^32 for int32). MAX and MIN use {@link Math#max}/{@link Math#min}, so NaN propagates. Bool
 * supports MAX (any) and MIN (all). Only layouts in which each row folds into its own output split
 * across threads (by whole rows); the others run on the calling thread, so no sum depends on the
 * thread count.
 *
 * <p><b>ARGMAX, ARGMIN</b> over one axis, viewed as {@code [outer, axis, inner]}: the first index
 * of the extreme value wins ties; NaN counts as the extreme, so the first NaN is returned, as in
 * NumPy.
 */
final class ScalarReductions {
  private ScalarReductions() {}

  /** Reduces {@code x} (dense in {@code shape}) over the flagged axes into {@code out}. */
  static void reduce(
      ReduceKind kind, CpuBuffer x, int[] shape, boolean[] reduceAxes, CpuBuffer out) {
    DType dtype = x.dtype();
    if (dtype == DType.BOOL && (kind == ReduceKind.SUM || kind == ReduceKind.PROD)) {
      throw new SonnetException(
          "Reduction "
              + kind
              + " is not defined on bool tensors; cast to "
              + "an integer dtype first (e.g. to count true values)");
    }
    StridedRows layout = layout(shape, reduceAxes);
    int outSize = out.length();
    boolean floating = dtype.isFloating();
    double[] accD = floating ? new double[outSize] : null;
    long[] accL = floating ? null : new long[outSize];
    if (floating) {
      java.util.Arrays.fill(accD, identityDouble(kind));
    } else {
      java.util.Arrays.fill(accL, identityLong(kind));
    }
    int len = layout.rowLength();
    boolean innerReduced = layout.innerStride(1) == 0;
    int[] merged = layout.shape();
    boolean rowsIndependent = innerReduced && merged.length <= 2;
    Object xs = x.array();
    CpuParallel.RangeBody body =
        (from, to) -> {
          StridedRows.Cursor c = layout.cursor(from);
          for (int r = from; r < to; r++, c.next()) {
            int xo = c.offset(0);
            int oo = c.offset(1);
            if (floating) {
              if (innerReduced) {
                accD[oo] = foldRow(kind, xs, xo, len, accD[oo]);
              } else {
                combineRow(kind, xs, xo, accD, oo, len);
              }
            } else if (innerReduced) {
              accL[oo] = foldRow(kind, xs, xo, len, accL[oo]);
            } else {
              combineRow(kind, xs, xo, accL, oo, len);
            }
          }
        };
    if (rowsIndependent) {
      CpuParallel.parallelFor(layout.rows(), CpuParallel.grainFor(len), body);
    } else {
      body.run(0, layout.rows());
    }
    store(floating ? accD : accL, out);
  }

  /**
   * The input paired with the output: input strides dense, output strides dense over the kept axes
   * and 0 over the reduced ones.
   */
  static StridedRows layout(int[] shape, boolean[] reduceAxes) {
    long[] in = StridedRows.denseStrides(shape);
    long[] outStrides = new long[shape.length];
    long acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (!reduceAxes[d]) {
        outStrides[d] = acc;
        acc *= shape[d];
      }
    }
    return new StridedRows(shape, new long[2], in, outStrides);
  }

  static double identityDouble(ReduceKind kind) {
    return switch (kind) {
      case SUM -> 0.0;
      case PROD -> 1.0;
      case MAX -> Double.NEGATIVE_INFINITY;
      case MIN -> Double.POSITIVE_INFINITY;
      default -> throw new IllegalArgumentException(kind.toString());
    };
  }

  private static long identityLong(ReduceKind kind) {
    return switch (kind) {
      case SUM -> 0L;
      case PROD -> 1L;
      case MAX -> Long.MIN_VALUE;
      case MIN -> Long.MAX_VALUE;
      default -> throw new IllegalArgumentException(kind.toString());
    };
  }

  private static double foldRow(ReduceKind kind, Object xs, int xo, int n, double acc) {
    double a = acc;
    if (xs instanceof float[] x) {
      switch (kind) {
        case SUM -> {
          for (int i = 0; i < n; i++) a += x[xo + i];
        }
        case PROD -> {
          for (int i = 0; i < n; i++) a *= x[xo + i];
        }
        case MAX -> {
          for (int i = 0; i < n; i++) a = Math.max(a, x[xo + i]);
        }
        case MIN -> {
          for (int i = 0; i < n; i++) a = Math.min(a, x[xo + i]);
        }
        default -> throw new IllegalArgumentException(kind.toString());
      }
    } else {
      double[] x = (double[]) xs;
      switch (kind) {
        case SUM -> {
          for (int i = 0; i < n; i++) a += x[xo + i];
        }
        case PROD -> {
          for (int i = 0; i < n; i++) a *= x[xo + i];
        }
        case MAX -> {
          for (int i = 0; i < n; i++) a = Math.max(a, x[xo + i]);
        }
        case MIN -> {
          for (int i = 0; i < n; i++) a = Math.min(a, x[xo + i]);
        }
        default -> throw new IllegalArgumentException(kind.toString());
      }
    }
    return a;
  }

  private static void combineRow(ReduceKind kind, Object xs, int xo, double[] acc, int oo, int n) {
    if (xs instanceof float[] x) {
      switch (kind) {
        case SUM -> {
          for (int i = 0; i < n; i++) acc[oo + i] += x[xo + i];
        }
        case PROD -> {
          for (int i = 0; i < n; i++) acc[oo + i] *= x[xo + i];
        }
        case MAX -> {
          for (int i = 0; i < n; i++) acc[oo + i] = Math.max(acc[oo + i], x[xo + i]);
        }
        case MIN -> {
          for (int i = 0; i < n; i++) acc[oo + i] = Math.min(acc[oo + i], x[xo + i]);
        }
        default -> throw new IllegalArgumentException(kind.toString());
      }
    } else {
      double[] x = (double[]) xs;
      switch (kind) {
        case SUM -> {
          for (int i = 0; i < n; i++) acc[oo + i] += x[xo + i];
        }
        case PROD -> {
          for (int i = 0; i < n; i++) acc[oo + i] *= x[xo + i];
        }
        case MAX -> {
          for (int i = 0; i < n; i++) acc[oo + i] = Math.max(acc[oo + i], x[xo + i]);
        }
        case MIN -> {
          for (int i = 0; i < n; i++) acc[oo + i] = Math.min(acc[oo + i], x[xo + i]);
        }
        default -> throw new IllegalArgumentException(kind.toString());
      }
    }
  }

  private static long foldRow(ReduceKind kind, Object xs, int xo, int n, long acc) {
    long a = acc;
    for (int i = 0; i < n; i++) {
      a = combine(kind, a, longAt(xs, xo + i));
    }
    return a;
  }

  private static void combineRow(ReduceKind kind, Object xs, int xo, long[] acc, int oo, int n) {
    for (int i = 0; i < n; i++) {
      acc[oo + i] = combine(kind, acc[oo + i], longAt(xs, xo + i));
    }
  }

  private static long combine(ReduceKind kind, long a, long v) {
    return switch (kind) {
      case SUM -> a + v;
      case PROD -> a * v;
      case MAX -> Math.max(a, v);
      case MIN -> Math.min(a, v);
      default -> throw new IllegalArgumentException(kind.toString());
    };
  }

  private static long longAt(Object xs, int i) {
    return switch (xs) {
      case int[] x -> x[i];
      case long[] x -> x[i];
      case boolean[] x -> x[i] ? 1L : 0L;
      default -> throw new IllegalStateException("unknown CPU array " + xs.getClass());
    };
  }

  private static void store(Object acc, CpuBuffer out) {
    int n = out.length();
    switch (out.dtype()) {
      case FLOAT32 -> {
        double[] a = (double[]) acc;
        float[] o = out.f32();
        for (int i = 0; i < n; i++) o[i] = (float) a[i];
      }
      case FLOAT64 -> System.arraycopy(acc, 0, out.f64(), 0, n);
      case INT32 -> {
        long[] a = (long[]) acc;
        int[] o = out.i32();
        for (int i = 0; i < n; i++) o[i] = (int) a[i];
      }
      case INT64 -> System.arraycopy(acc, 0, out.i64(), 0, n);
      case BOOL -> {
        long[] a = (long[]) acc;
        boolean[] o = out.bool();
        for (int i = 0; i < n; i++) o[i] = a[i] != 0;
      }
    }
  }

  /** ARGMAX or ARGMIN of {@code x} viewed as {@code [outer, axisSize, inner]} into INT64 out. */
  static void arg(boolean max, CpuBuffer x, int outer, int axisSize, int inner, long[] out) {
    Object xs = x.array();
    CpuParallel.parallelFor(
        outer,
        CpuParallel.grainFor((long) axisSize * inner),
        (from, to) -> {
          if (xs instanceof long[] xl) {
            argLong(max, xl, from, to, axisSize, inner, out);
          } else {
            argDouble(max, xs, from, to, axisSize, inner, out);
          }
        });
  }

  private static void argDouble(
      boolean max, Object xs, int from, int to, int axisSize, int inner, long[] out) {
    double[] best = new double[inner];
    for (int o = from; o < to; o++) {
      int base = o * axisSize * inner;
      int ob = o * inner;
      for (int i = 0; i < inner; i++) {
        best[i] = valueAt(xs, base + i);
        out[ob + i] = 0;
      }
      for (int j = 1; j < axisSize; j++) {
        int row = base + j * inner;
        for (int i = 0; i < inner; i++) {
          double v = valueAt(xs, row + i);
          double b = best[i];
          // NaN beats everything and the first NaN stays; among numbers a strict win replaces.
          boolean better = b == b && (v != v || (max ? v > b : v < b));
          if (better) {
            best[i] = v;
            out[ob + i] = j;
          }
        }
      }
    }
  }

  private static void argLong(
      boolean max, long[] x, int from, int to, int axisSize, int inner, long[] out) {
    long[] best = new long[inner];
    for (int o = from; o < to; o++) {
      int base = o * axisSize * inner;
      int ob = o * inner;
      for (int i = 0; i < inner; i++) {
        best[i] = x[base + i];
        out[ob + i] = 0;
      }
      for (int j = 1; j < axisSize; j++) {
        int row = base + j * inner;
        for (int i = 0; i < inner; i++) {
          long v = x[row + i];
          if (max ? v > best[i] : v < best[i]) {
            best[i] = v;
            out[ob + i] = j;
          }
        }
      }
    }
  }

  /** An element of a float, double, int or bool array as a double (exact). */
  private static double valueAt(Object xs, int i) {
    return switch (xs) {
      case float[] x -> x[i];
      case double[] x -> x[i];
      case int[] x -> x[i];
      case boolean[] x -> x[i] ? 1.0 : 0.0;
      default -> throw new IllegalStateException("unknown CPU array " + xs.getClass());
    };
  }
}
