package dev.sonnet.ops;

/**
 * The switch for fused operations: {@code -Dsonnet.fusion=false} (or {@link #setEnabled}) makes
 * every fusing entry point run its unfused sequence of primitive operations instead, for debugging
 * and for measuring the fused path against the unfused one in the same run.
 *
 * <p>Fusion is on by default: each fused operation is checked against its unfused sequence (bit for
 * bit where the arithmetic is the same, within a stated tolerance where it is not; see each {@link
 * FusedOp}), and a backend without the capability a fused operation needs gets the unfused sequence
 * whatever this switch says.
 */
public final class Fusion {
  /** System property: {@code false} turns fusion off for the whole JVM. */
  public static final String PROPERTY = "sonnet.fusion";

  private static volatile boolean enabled =
      !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

  private Fusion() {}

  /**
   * Whether fusing entry points may run fused operations: true by default, false when turned off
   * and while {@link CheckNumerics} mode is on (so that mode checks, and names, each primitive
   * operation: a NaN is reported at the {@code matmul} or {@code add} that made it, not at a fused
   * {@code dense}), and on a thread where a recorder wants primitive ops (a tracer).
   */
  public static boolean enabled() {
    return enabled && !CheckNumerics.enabled && !Dispatch.primitivesWanted();
  }

  /** Turns fusion on or off for every thread, from the next operation on. */
  public static void setEnabled(boolean on) {
    enabled = on;
  }
}
