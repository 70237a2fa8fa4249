package dev.sonnet.runtime.cpu;

/**
 * The error function and the normal distribution in double precision, written for the GELU and
 * NORMAL_CDF kernels ({@link Math} has no erf).
 *
 * <p><b>Method.</b> For {@code |x| < 2.5}, erf uses the series {@code erf(x) = 2/sqrt(pi) exp(-x^2)
 * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))}, whose terms are all of one sign, so summing them loses
 * nothing to cancellation (relative error a few ulps). For {@code x >= 2}, erfc uses its continued
 * fraction {@code erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))},
 * evaluated by the modified Lentz method until the last factor is 1 to within an ulp; it converges
 * fast for large {@code x} and keeps erfc's relative accuracy deep into the tail. {@code exp(-x^2)}
 * is corrected for the rounding of {@code x*x} with an FMA, which otherwise costs {@code x^2} ulps.
 * Relative error is about 1e-15 over the whole line, checked against 50-digit values in the tests.
 */
final class SpecialFunctions {
  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
  private static final double ONE_OVER_SQRT_2 = 0.7071067811865476;
  private static final double SERIES_LIMIT = 2.5;
  private static final double FRACTION_START = 2.0;
  private static final double TINY = 1e-300;

  /** Most series terms ever needed: at |x| = 2.5 the terms fall below an ulp of the sum by ~60. */
  private static final int SERIES_TERMS = 80;

  /** {@code 1 / (2n + 1)}: multiplying by these beats a division per term, for half an ulp. */
  private static final double[] INVERSE_ODD = inverseOdd();

  private SpecialFunctions() {}

  /** The error function. */
  static double erf(double x) {
    double ax = Math.abs(x);
    if (ax < SERIES_LIMIT) {
      return series(x);
    }
    if (Double.isNaN(x)) {
      return x;
    }
    double r = 1.0 - erfcFraction(ax);
    return x < 0 ? -r : r;
  }

  /** The complementary error function {@code 1 - erf(x)}, accurate in the right tail. */
  static double erfc(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    if (x < 0) {
      return 2.0 - erfc(-x);
    }
    if (x < FRACTION_START) {
      return 1.0 - series(x);
    }
    return erfcFraction(x);
  }

  /** The standard normal CDF {@code Phi(x) = erfc(-x / sqrt 2) / 2}, accurate in the left tail. */
  static double normalCdf(double x) {
    return 0.5 * erfc(-x * ONE_OVER_SQRT_2);
  }

  /** Exact GELU, {@code x * Phi(x)}. */
  static double gelu(double x) {
    return x * normalCdf(x);
  }

  /** {@code exp(-x*x)} with the rounding error of {@code x*x} corrected. */
  private static double expMinusSquare(double x) {
    double x2 = x * x;
    double err = Math.fma(x, x, -x2);
    return Math.exp(-x2) * (1.0 - err);
  }

  private static double series(double x) {
    double x2 = x * x;
    double twoX2 = 2.0 * x2;
    double term = x;
    double sum = x;
    for (int n = 1; n < SERIES_TERMS; n++) {
      term *= twoX2 * INVERSE_ODD[n];
      double next = sum + term;
      if (next == sum) {
        break;
      }
      sum = next;
    }
    return TWO_OVER_SQRT_PI * expMinusSquare(x) * sum;
  }

  private static double[] inverseOdd() {
    double[] t = new double[SERIES_TERMS];
    for (int n = 0; n < SERIES_TERMS; n++) {
      t[n] = 1.0 / (2 * n + 1);
    }
    return t;
  }

  /** erfc for {@code x >= FRACTION_START} (or +infinity) by the continued fraction. */
  private static double erfcFraction(double x) {
    if (x > 27.3) {
      return 0.0; // below the smallest subnormal
    }
    // K = 1/(x + a1/(x + a2/(x + ...))) with a_n = n/2; Lentz on f = x + a1/(x + ...).
    double f = x;
    double c = x;
    double d = 0.0;
    for (int n = 1; n < 5000; n++) {
      double an = 0.5 * n;
      d = x + an * d;
      d = d == 0 ? TINY : d;
      c = x + an / c;
      c = c == 0 ? TINY : c;
      d = 1.0 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1.0) < 1e-16) {
        break;
      }
    }
    return ONE_OVER_SQRT_PI * expMinusSquare(x) / f;
  }
}
