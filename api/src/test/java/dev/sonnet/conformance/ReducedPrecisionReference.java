package dev.sonnet.conformance;

import dev.sonnet.tensor.DType;

/**
 * The 16-bit float formats from their definitions: the representable values form a grid of spacing
 * {@code 2^(exponent - mantissa bits)} (fixed below the smallest normal), and a float rounds to the
 * nearer grid neighbour, ties to the one with an even last bit, overflowing to infinity where the
 * rounded magnitude exceeds the largest finite value. Computed in double arithmetic, which holds
 * every float and both neighbours exactly.
 */
public final class ReducedPrecisionReference {
  private ReducedPrecisionReference() {}

  /** The 16-bit value of {@code dtype} nearest {@code v} (ties to even), as a float. */
  public static float nearest(DType dtype, float v) {
    if (Float.isNaN(v) || Float.isInfinite(v)) {
      return v;
    }
    if (dtype == DType.FLOAT16) {
      // The IEEE half grid: 10 mantissa bits, exponents from -14 (subnormals below), max 65504.
      double a = Math.abs((double) v);
      double ulp = a < 0x1p-14 ? 0x1p-24 : Math.scalb(1.0, Math.getExponent((float) a) - 10);
      double low = Math.floor(a / ulp) * ulp;
      double high = low + ulp;
      double pick = pickNearest(a, low, high, (long) (low / ulp));
      if (pick > 65504.0) {
        // Overflow: rounds to infinity at or above 65520 (the tie rounds to the even infinity).
        return Math.copySign(Float.POSITIVE_INFINITY, v);
      }
      return (float) Math.copySign(pick, v);
    }
    // The bfloat16 grid: float32's exponents with 8 significant bits. Work on the magnitude in
    // double, where the neighbour above the largest finite value (2^128) is still finite.
    double a = Math.abs((double) v);
    if (a == 0) {
      return v;
    }
    double ulp = a < 0x1p-126 ? 0x1p-133 : Math.scalb(1.0, Math.getExponent((float) a) - 7);
    double low = Math.floor(a / ulp) * ulp;
    double pick = pickNearest(a, low, low + ulp, (long) (low / ulp));
    if (pick >= 0x1p128) {
      return Math.copySign(Float.POSITIVE_INFINITY, v);
    }
    return (float) Math.copySign(pick, v);
  }

  private static double pickNearest(double a, double low, double high, long lowSteps) {
    double dl = a - low;
    double dh = high - a;
    if (dl < dh) {
      return low;
    }
    if (dh < dl) {
      return high;
    }
    return (lowSteps & 1) == 0 ? low : high;
  }
}
