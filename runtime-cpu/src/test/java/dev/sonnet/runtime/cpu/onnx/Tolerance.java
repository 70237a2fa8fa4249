package dev.sonnet.runtime.cpu.onnx;

/**
 * How far an ONNX Runtime float may be from the library's: {@code rel * |expected| + abs}. Each use
 * states why its numbers bound the two runtimes' float32 differences.
 */
record Tolerance(double rel, double abs) {
  /** Bit-for-bit: data movement, integer and bool results. */
  static final Tolerance EXACT = new Tolerance(0, 0);

  /**
   * Elementwise float functions: both sides are float32 kernels within a few ulps, ONNX Runtime's
   * vectorised exp/tanh/sigmoid/erf within about 1e-6 relative; 1e-5 leaves a factor ~10, and the
   * 1e-6 absolute part covers results that cancel to near zero ({@code 1 + erf(x)}, x < 0).
   */
  static final Tolerance ELEMENTWISE = new Tolerance(1e-5, 1e-6);

  /**
   * Sums of {@code k} products each at most {@code maxTerm} in magnitude: each side within {@code k
   * * u * k * maxTerm} of exact, so the two within twice that.
   */
  static Tolerance sums(int k, double maxTerm) {
    return new Tolerance(0, 2 * k * Closeness.U * k * maxTerm);
  }
}
