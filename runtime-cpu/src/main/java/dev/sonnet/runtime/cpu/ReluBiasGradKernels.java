package dev.sonnet.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gradient through a convolution's bias and ReLU in one pass ({@link
 * dev.sonnet.backend.DirectConvolution#reluBiasGradient}): {@code dz[r, c] = y[r, c] > 0 ? g[r, c]
 * : +0.0} over {@code rows x channels}, and the bias gradient {@code db[c] = sum_r dz[r, c]}.
 *
 * <p><b>Order of the sums.</b> The rows split into {@link #partsFor parts} that depend on the row
 * count only; each part sums its rows in order into its own row of partial sums, and {@code db}
 * adds the parts in order. Each channel's sum is therefore the same sequence of float adds whatever
 * the thread count, in the vector path (channels along lanes, one lane per channel) and in the
 * scalar one alike; it differs from a reduction kernel's order, within the float summation bound
 * {@code rows * 2^-24 * sum_r |dz[r, c]|}.
 *
 * <p>{@code dz} is a select, bit for bit {@code where(y > 0, g, 0)}: a NaN {@code y} compares false
 * and gives {@code +0.0}.
 */
final class ReluBiasGradKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Most parts: enough for 24 threads; few partial rows to add. */
  static final int MAX_PARTS = 24;

  /** Fewest rows per part, so a part's partial row is small against its rows. */
  static final int MIN_PART_ROWS = 256;

  /** The calling thread's partial sums, one row per part. */
  private static final FloatScratch PARTIALS = new FloatScratch();

  private ReluBiasGradKernels() {}

  /** The number of parts {@code rows} split into: a function of the size alone. */
  static int partsFor(long rows) {
    return (int) Math.max(1, Math.min(MAX_PARTS, rows / MIN_PART_ROWS));
  }

  /** One part's rows {@code [from, to)}. */
  private interface PartBody {
    void run(int part, int from, int to);
  }

  /**
   * Runs {@code body} on each of the {@link #partsFor} parts of {@code rows}, split across the
   * pool: the same parts for float32 and float64 and for any thread count, which the fixed
   * summation order of the bias gradient rests on.
   */
  private static void forEachPart(int rows, int channels, PartBody body) {
    int parts = partsFor(rows);
    CpuParallel.parallelFor(
        parts,
        CpuParallel.grainFor((long) (rows / parts) * channels),
        (lo, hi) -> {
          for (int part = lo; part < hi; part++) {
            body.run(
                part, (int) ((long) rows * part / parts), (int) ((long) rows * (part + 1) / parts));
          }
        });
  }

  static void f32(
      float[] y, float[] g, int rows, int channels, float[] dz, float[] db, boolean vectorized) {
    int parts = partsFor(rows);
    float[] partial = db == null ? null : PARTIALS.get(parts * channels);
    boolean vector = vectorized && channels % L == 0;
    forEachPart(
        rows,
        channels,
        (part, from, to) -> {
          if (vector) {
            vectorRows(y, g, channels, dz, partial, part * channels, from, to);
          } else {
            scalarRows(y, g, channels, dz, partial, part * channels, from, to);
          }
        });
    if (db != null) {
      for (int c = 0; c < channels; c++) {
        float sum = partial[c];
        for (int part = 1; part < parts; part++) {
          sum += partial[part * channels + c];
        }
        db[c] = sum;
      }
    }
  }

  /** Rows {@code [from, to)}; their column sums into {@code partial[at..]} when not null. */
  private static void scalarRows(
      float[] y, float[] g, int channels, float[] dz, float[] partial, int at, int from, int to) {
    if (partial != null) {
      java.util.Arrays.fill(partial, at, at + channels, 0f);
    }
    for (int r = from; r < to; r++) {
      int base = r * channels;
      for (int c = 0; c < channels; c++) {
        float v = y[base + c] > 0 ? g[base + c] : 0f;
        dz[base + c] = v;
        if (partial != null) {
          partial[at + c] += v;
        }
      }
    }
  }

  /**
   * As {@link #scalarRows} with channels (a whole number of vectors) along lanes, in one pass over
   * the rows; the partial sums stay in L1.
   */
  private static void vectorRows(
      float[] y, float[] g, int channels, float[] dz, float[] partial, int at, int from, int to) {
    FloatVector zero = FloatVector.zero(S);
    if (partial == null) {
      for (int i = from * channels, end = to * channels; i < end; i += L) {
        VectorMask<Float> positive = FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f);
        zero.blend(FloatVector.fromArray(S, g, i), positive).intoArray(dz, i);
      }
      return;
    }
    java.util.Arrays.fill(partial, at, at + channels, 0f);
    for (int r = from; r < to; r++) {
      int base = r * channels;
      for (int c = 0; c < channels; c += L) {
        int i = base + c;
        VectorMask<Float> positive = FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f);
        FloatVector v = zero.blend(FloatVector.fromArray(S, g, i), positive);
        v.intoArray(dz, i);
        FloatVector.fromArray(S, partial, at + c).add(v).intoArray(partial, at + c);
      }
    }
  }

  static void f64(double[] y, double[] g, int rows, int channels, double[] dz, double[] db) {
    int parts = partsFor(rows);
    double[] partial = db == null ? null : new double[parts * channels];
    forEachPart(
        rows,
        channels,
        (part, from, to) -> {
          int at = part * channels;
          for (int r = from; r < to; r++) {
            int base = r * channels;
            for (int c = 0; c < channels; c++) {
              double v = y[base + c] > 0 ? g[base + c] : 0.0;
              dz[base + c] = v;
              if (partial != null) {
                partial[at + c] += v;
              }
            }
          }
        });
    if (db != null) {
      for (int c = 0; c < channels; c++) {
        double sum = partial[c];
        for (int part = 1; part < parts; part++) {
          sum += partial[part * channels + c];
        }
        db[c] = sum;
      }
    }
  }
}
