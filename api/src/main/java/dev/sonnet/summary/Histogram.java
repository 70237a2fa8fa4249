package dev.sonnet.summary;

/**
 * The summary of a set of values that TensorBoard's histogram dashboard shows (its {@code
 * HistogramProto}): count, min, max, sum, sum of squares, and counts in equal-width buckets from
 * min to max. Bucket {@code i} covers {@code [limit(i-1), limit(i))}, the last one also its right
 * edge, as NumPy's {@code histogram} (which tensorboardX uses).
 *
 * @param bucketLimits each bucket's right edge, ascending; the last is {@code max}
 * @param bucketCounts the number of values in each bucket
 */
record Histogram(
    double min,
    double max,
    double count,
    double sum,
    double sumSquares,
    double[] bucketLimits,
    double[] bucketCounts) {

  /** Buckets {@code values} into {@code buckets} equal parts of {@code [min, max]}. */
  static Histogram of(String tag, double[] values, int buckets) {
    if (values.length == 0) {
      throw new IllegalArgumentException("histogram '" + tag + "': no values");
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    double sumSquares = 0;
    int nonFinite = 0;
    for (double v : values) {
      if (!Double.isFinite(v)) {
        nonFinite++;
        continue;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      sumSquares += v * v;
    }
    if (nonFinite > 0) {
      throw new IllegalArgumentException(
          "histogram '"
              + tag
              + "': "
              + nonFinite
              + " of "
              + values.length
              + " values are NaN or infinite; a histogram of them would hide that (check the"
              + " values with CheckNumerics first)");
    }
    if (min == max) {
      return new Histogram(
          min,
          max,
          values.length,
          sum,
          sumSquares,
          new double[] {max},
          new double[] {values.length});
    }
    double width = (max - min) / buckets;
    double[] limits = new double[buckets];
    for (int i = 0; i < buckets - 1; i++) {
      limits[i] = min + (i + 1) * width;
    }
    limits[buckets - 1] = max;
    double[] counts = new double[buckets];
    for (double v : values) {
      int b = (int) ((v - min) / width);
      counts[Math.min(Math.max(b, 0), buckets - 1)]++;
    }
    return new Histogram(min, max, values.length, sum, sumSquares, limits, counts);
  }
}
