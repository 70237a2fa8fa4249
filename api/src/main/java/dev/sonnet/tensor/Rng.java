package dev.sonnet.tensor;

/**
 * An explicit, seeded, reproducible random number generator (SplitMix64).
 *
 * <p>The same seed gives the same numbers on every JVM, every backend and every run: random tensors
 * are drawn on the host and then uploaded, so CPU and OpenCL runs start from identical weights. The
 * whole state is one {@code long} ({@link #state()}), so it can be checkpointed. Not thread-safe:
 * give each thread its own generator, e.g. via {@link #split()}.
 */
public final class Rng {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final double TWO_PI = 2 * Math.PI;

  private long state;

  /** A generator whose sequence is fully determined by {@code seed}. */
  public Rng(long seed) {
    this.state = seed;
  }

  /** The current state; {@code new Rng(0).restore(s)} continues exactly where this one is. */
  public long state() {
    return state;
  }

  /** Sets the state previously obtained from {@link #state()}. */
  public Rng restore(long state) {
    this.state = state;
    return this;
  }

  /** 64 uniformly random bits. */
  public long nextLong() {
    long z = (state += GOLDEN_GAMMA);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in {@code [0, 1)} with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in {@code [0, bound)}; {@code bound} must be positive. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    return (int) ((nextLong() >>> 33) % bound);
  }

  /** A standard normal sample (Box-Muller; consumes two uniforms, keeps no cached value). */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble(); // (0, 1], so the log is finite
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(TWO_PI * u2);
  }

  /** A standard normal sample re-drawn until it lies within two standard deviations. */
  public double nextTruncatedGaussian() {
    while (true) {
      double z = nextGaussian();
      if (z >= -2.0 && z <= 2.0) {
        return z;
      }
    }
  }

  /** An independent generator seeded from this one (advances this one by one step). */
  public Rng split() {
    return new Rng(nextLong());
  }
}
