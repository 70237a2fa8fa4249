package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.DType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for float SUM, MAX and MIN in the layouts that matter, recognised after {@link
 * StridedRows} has merged neighbouring axes with the same role:
 *
 * <ul>
 *   <li>{@code [K, R]} (trailing axes reduced, including a full reduction with {@code K = 1}): each
 *       row folds into one value with two vector accumulators, then a lane reduction and a scalar
 *       tail; rows split across threads.
 *   <li>{@code [K1, R, K2]} (leading or middle axes reduced, {@code K1} may be 1): the output block
 *       of {@code K2} columns is combined with one input row after another, in column blocks of
 *       {@value #COLUMN_BLOCK} that stay in L1 and split across threads.
 * </ul>
 *
 * <p><b>Threads.</b> Only kept dimensions split across threads: whole rows in {@code [K, R]}, and
 * column blocks at fixed multiples of {@value #COLUMN_BLOCK} in {@code [K1, R, K2]}; the reduced
 * dimension never does, so each output's order of operations, and its result, is the same for any
 * thread count.
 *
 * <p>Other layouts return {@code false} and take the scalar path. Unlike the scalar reference,
 * which accumulates float32 in double, float32 sums here accumulate in float lanes: the error bound
 * grows to about {@code R * 2^-24 * sum|x|} (usually far less, as lanes split the sum). MAX and MIN
 * use {@link Math#max} rules, so NaN propagates as in the scalar path.
 */
final class VectorReductions {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  /**
   * Output columns per task in the {@code [K1, R, K2]} layout: 2 KiB of floats, 4 KiB of doubles.
   */
  static final int COLUMN_BLOCK = 512;

  private VectorReductions() {}

  /** Runs the reduction if a vector loop covers it; returns false to ask for the scalar path. */
  static boolean tryReduce(
      ReduceKind kind, CpuBuffer x, int[] shape, boolean[] reduceAxes, CpuBuffer out) {
    if (kind != ReduceKind.SUM && kind != ReduceKind.MAX && kind != ReduceKind.MIN) {
      return false;
    }
    StridedRows layout = ScalarReductions.layout(shape, reduceAxes);
    int[] m = layout.shape();
    if (layout.rows() == 0) {
      return false;
    }
    if (m.length == 1 && layout.stride(1, 0) == 0) {
      foldRows(kind, x, out, 1, m[0]);
      return true;
    }
    if (m.length == 2 && layout.stride(1, 1) == 0) {
      foldRows(kind, x, out, m[0], m[1]);
      return true;
    }
    if (m.length == 2 && layout.stride(1, 0) == 0) {
      combineRows(kind, x, out, 1, m[0], m[1]);
      return true;
    }
    if (m.length == 3 && layout.stride(1, 1) == 0 && layout.stride(1, 2) == 1) {
      combineRows(kind, x, out, m[0], m[1], m[2]);
      return true;
    }
    return false;
  }

  private static void foldRows(ReduceKind kind, CpuBuffer x, CpuBuffer out, int k, int r) {
    boolean f32 = x.dtype() == DType.FLOAT32;
    CpuParallel.parallelFor(
        k,
        CpuParallel.grainFor(r),
        (from, to) -> {
          for (int row = from; row < to; row++) {
            if (f32) {
              out.f32()[row] = foldF32(kind, x.f32(), row * r, r);
            } else {
              out.f64()[row] = foldF64(kind, x.f64(), row * r, r);
            }
          }
        });
  }

  private static void combineRows(
      ReduceKind kind, CpuBuffer x, CpuBuffer out, int k1, int r, int k2) {
    boolean f32 = x.dtype() == DType.FLOAT32;
    int blocks = (k2 + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
    long work = (long) r * Math.min(k2, COLUMN_BLOCK);
    CpuParallel.parallelFor(
        k1 * blocks,
        CpuParallel.grainFor(work),
        (from, to) -> {
          for (int t = from; t < to; t++) {
            int outer = t / blocks;
            int c0 = (t - outer * blocks) * COLUMN_BLOCK;
            int n = Math.min(COLUMN_BLOCK, k2 - c0);
            int in = outer * r * k2 + c0;
            int o = outer * k2 + c0;
            if (f32) {
              float[] xs = x.f32();
              float[] os = out.f32();
              System.arraycopy(xs, in, os, o, n);
              int row = 1;
              for (; row + 4 <= r; row += 4) {
                combine4F32(kind, xs, in + row * k2, k2, os, o, n);
              }
              for (; row < r; row++) {
                combineF32(kind, xs, in + row * k2, os, o, n);
              }
            } else {
              double[] xs = x.f64();
              double[] os = out.f64();
              System.arraycopy(xs, in, os, o, n);
              int row = 1;
              for (; row + 4 <= r; row += 4) {
                combine4F64(kind, xs, in + row * k2, k2, os, o, n);
              }
              for (; row < r; row++) {
                combineF64(kind, xs, in + row * k2, os, o, n);
              }
            }
          }
        });
  }

  private static float foldF32(ReduceKind kind, float[] x, int off, int n) {
    int step = F.length();
    int end = F.loopBound(n / 2) * 2;
    int i = 0;
    float acc;
    switch (kind) {
      case SUM -> {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        for (; i < end; i += 2 * step) {
          a0 = a0.add(FloatVector.fromArray(F, x, off + i));
          a1 = a1.add(FloatVector.fromArray(F, x, off + i + step));
        }
        acc = sumLanes(a0.add(a1));
        for (; i < n; i++) acc += x[off + i];
      }
      case MAX -> {
        FloatVector a0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        FloatVector a1 = a0;
        for (; i < end; i += 2 * step) {
          a0 = a0.max(FloatVector.fromArray(F, x, off + i));
          a1 = a1.max(FloatVector.fromArray(F, x, off + i + step));
        }
        acc = a0.max(a1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) acc = Math.max(acc, x[off + i]);
      }
      default -> {
        FloatVector a0 = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
        FloatVector a1 = a0;
        for (; i < end; i += 2 * step) {
          a0 = a0.min(FloatVector.fromArray(F, x, off + i));
          a1 = a1.min(FloatVector.fromArray(F, x, off + i + step));
        }
        acc = a0.min(a1).reduceLanes(VectorOperators.MIN);
        for (; i < n; i++) acc = Math.min(acc, x[off + i]);
      }
    }
    return acc;
  }

  private static double foldF64(ReduceKind kind, double[] x, int off, int n) {
    int step = D.length();
    int end = D.loopBound(n / 2) * 2;
    int i = 0;
    double acc;
    switch (kind) {
      case SUM -> {
        DoubleVector a0 = DoubleVector.zero(D);
        DoubleVector a1 = DoubleVector.zero(D);
        for (; i < end; i += 2 * step) {
          a0 = a0.add(DoubleVector.fromArray(D, x, off + i));
          a1 = a1.add(DoubleVector.fromArray(D, x, off + i + step));
        }
        acc = sumLanes(a0.add(a1));
        for (; i < n; i++) acc += x[off + i];
      }
      case MAX -> {
        DoubleVector a0 = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        DoubleVector a1 = a0;
        for (; i < end; i += 2 * step) {
          a0 = a0.max(DoubleVector.fromArray(D, x, off + i));
          a1 = a1.max(DoubleVector.fromArray(D, x, off + i + step));
        }
        acc = a0.max(a1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) acc = Math.max(acc, x[off + i]);
      }
      default -> {
        DoubleVector a0 = DoubleVector.broadcast(D, Double.POSITIVE_INFINITY);
        DoubleVector a1 = a0;
        for (; i < end; i += 2 * step) {
          a0 = a0.min(DoubleVector.fromArray(D, x, off + i));
          a1 = a1.min(DoubleVector.fromArray(D, x, off + i + step));
        }
        acc = a0.min(a1).reduceLanes(VectorOperators.MIN);
        for (; i < n; i++) acc = Math.min(acc, x[off + i]);
      }
    }
    return acc;
  }

  /** {@code o[oo + i] = op(o[oo + i], x[xo + i])} for {@code i < n}. */
  private static void combineF32(ReduceKind kind, float[] x, int xo, float[] o, int oo, int n) {
    int step = F.length();
    int end = F.loopBound(n);
    int i = 0;
    switch (kind) {
      case SUM -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, o, oo + i)
              .add(FloatVector.fromArray(F, x, xo + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) o[oo + i] += x[xo + i];
      }
      case MAX -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, o, oo + i)
              .max(FloatVector.fromArray(F, x, xo + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) o[oo + i] = Math.max(o[oo + i], x[xo + i]);
      }
      default -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, o, oo + i)
              .min(FloatVector.fromArray(F, x, xo + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) o[oo + i] = Math.min(o[oo + i], x[xo + i]);
      }
    }
  }

  /** {@code o[oo + i] = op(o[oo + i], x[xo + i])} for {@code i < n}. */
  private static void combineF64(ReduceKind kind, double[] x, int xo, double[] o, int oo, int n) {
    int step = D.length();
    int end = D.loopBound(n);
    int i = 0;
    switch (kind) {
      case SUM -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, o, oo + i)
              .add(DoubleVector.fromArray(D, x, xo + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) o[oo + i] += x[xo + i];
      }
      case MAX -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, o, oo + i)
              .max(DoubleVector.fromArray(D, x, xo + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) o[oo + i] = Math.max(o[oo + i], x[xo + i]);
      }
      default -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, o, oo + i)
              .min(DoubleVector.fromArray(D, x, xo + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) o[oo + i] = Math.min(o[oo + i], x[xo + i]);
      }
    }
  }

  /**
   * Combines four input rows {@code xo + q * stride} ({@code q < 4}) into the output row at once,
   * so the output block is loaded and stored once per four rows. Rows are folded in order, as
   * {@link #combineF32} would, so MAX and MIN give the same result.
   */
  private static void combine4F32(
      ReduceKind kind, float[] x, int xo, int stride, float[] o, int oo, int n) {
    int step = F.length();
    int end = F.loopBound(n);
    int x1 = xo + stride;
    int x2 = x1 + stride;
    int x3 = x2 + stride;
    int i = 0;
    switch (kind) {
      case SUM -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, o, oo + i)
              .add(FloatVector.fromArray(F, x, xo + i))
              .add(FloatVector.fromArray(F, x, x1 + i))
              .add(FloatVector.fromArray(F, x, x2 + i))
              .add(FloatVector.fromArray(F, x, x3 + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) o[oo + i] = o[oo + i] + x[xo + i] + x[x1 + i] + x[x2 + i] + x[x3 + i];
      }
      case MAX -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, o, oo + i)
              .max(FloatVector.fromArray(F, x, xo + i))
              .max(FloatVector.fromArray(F, x, x1 + i))
              .max(FloatVector.fromArray(F, x, x2 + i))
              .max(FloatVector.fromArray(F, x, x3 + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) {
          o[oo + i] =
              Math.max(
                  Math.max(Math.max(Math.max(o[oo + i], x[xo + i]), x[x1 + i]), x[x2 + i]),
                  x[x3 + i]);
        }
      }
      default -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, o, oo + i)
              .min(FloatVector.fromArray(F, x, xo + i))
              .min(FloatVector.fromArray(F, x, x1 + i))
              .min(FloatVector.fromArray(F, x, x2 + i))
              .min(FloatVector.fromArray(F, x, x3 + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) {
          o[oo + i] =
              Math.min(
                  Math.min(Math.min(Math.min(o[oo + i], x[xo + i]), x[x1 + i]), x[x2 + i]),
                  x[x3 + i]);
        }
      }
    }
  }

  /** The float64 twin of {@link #combine4F32}. */
  private static void combine4F64(
      ReduceKind kind, double[] x, int xo, int stride, double[] o, int oo, int n) {
    int step = D.length();
    int end = D.loopBound(n);
    int x1 = xo + stride;
    int x2 = x1 + stride;
    int x3 = x2 + stride;
    int i = 0;
    switch (kind) {
      case SUM -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, o, oo + i)
              .add(DoubleVector.fromArray(D, x, xo + i))
              .add(DoubleVector.fromArray(D, x, x1 + i))
              .add(DoubleVector.fromArray(D, x, x2 + i))
              .add(DoubleVector.fromArray(D, x, x3 + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) o[oo + i] = o[oo + i] + x[xo + i] + x[x1 + i] + x[x2 + i] + x[x3 + i];
      }
      case MAX -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, o, oo + i)
              .max(DoubleVector.fromArray(D, x, xo + i))
              .max(DoubleVector.fromArray(D, x, x1 + i))
              .max(DoubleVector.fromArray(D, x, x2 + i))
              .max(DoubleVector.fromArray(D, x, x3 + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) {
          o[oo + i] =
              Math.max(
                  Math.max(Math.max(Math.max(o[oo + i], x[xo + i]), x[x1 + i]), x[x2 + i]),
                  x[x3 + i]);
        }
      }
      default -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, o, oo + i)
              .min(DoubleVector.fromArray(D, x, xo + i))
              .min(DoubleVector.fromArray(D, x, x1 + i))
              .min(DoubleVector.fromArray(D, x, x2 + i))
              .min(DoubleVector.fromArray(D, x, x3 + i))
              .intoArray(o, oo + i);
        }
        for (; i < n; i++) {
          o[oo + i] =
              Math.min(
                  Math.min(Math.min(Math.min(o[oo + i], x[xo + i]), x[x1 + i]), x[x2 + i]),
                  x[x3 + i]);
        }
      }
    }
  }

  /**
   * The lanes' sum, added in lane order. {@code reduceLanes(ADD)} leaves the order open, and the
   * JIT's order differs from the interpreter's, so a sum could change between runs of the same
   * program; this costs one pass over 16 lanes per reduced row.
   */
  private static float sumLanes(FloatVector v) {
    float sum = 0;
    for (int i = 0; i < v.length(); i++) {
      sum += v.lane(i);
    }
    return sum;
  }

  /** The lanes' sum in lane order; see {@link #sumLanes(FloatVector)}. */
  private static double sumLanes(DoubleVector v) {
    double sum = 0;
    for (int i = 0; i < v.length(); i++) {
      sum += v.lane(i);
    }
    return sum;
  }
}
