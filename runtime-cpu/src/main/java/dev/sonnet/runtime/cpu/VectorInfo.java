package dev.sonnet.runtime.cpu;

import java.lang.System.Logger.Level;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * Whether the Vector API ({@code jdk.incubator.vector}) can be used in this JVM, and how wide its
 * preferred vectors are.
 *
 * <p>The module is an incubator: a JVM started without {@code --add-modules=jdk.incubator.vector}
 * cannot link any class that touches it. The probe therefore lives in a nested class that is only
 * loaded inside a {@code try}; a {@link LinkageError} there (usually {@link NoClassDefFoundError})
 * means "not available", is logged once, and makes {@link CpuBackend} fall back to the scalar
 * kernels. No vector kernel class is loaded before this probe has succeeded.
 */
final class VectorInfo {
  private static volatile Probe result;

  private VectorInfo() {}

  /** True when the vector kernels can run. */
  static boolean available() {
    return probe().available;
  }

  /** Lanes of the preferred float vector, or 1 when the Vector API is unavailable. */
  static int floatLanes() {
    return probe().floatLanes;
  }

  /** Lanes of the preferred double vector, or 1 when the Vector API is unavailable. */
  static int doubleLanes() {
    return probe().doubleLanes;
  }

  /** For logs: {@code "Vector API, 16 float lanes"} or why the Vector API is off. */
  static String describe() {
    Probe p = probe();
    return p.available
        ? "Vector API, " + p.floatLanes + " float lanes"
        : "scalar kernels (Vector API unavailable: " + p.reason + ")";
  }

  private static Probe probe() {
    Probe p = result;
    if (p == null) {
      synchronized (VectorInfo.class) {
        p = result;
        if (p == null) {
          p = runProbe();
          result = p;
        }
      }
    }
    return p;
  }

  private static Probe runProbe() {
    try {
      return Species.probe();
    } catch (LinkageError e) {
      String reason = e + "; start the JVM with --add-modules=jdk.incubator.vector";
      System.getLogger(VectorInfo.class.getName())
          .log(
              Level.INFO,
              "Sonnet CPU runtime: Vector API unavailable, using scalar kernels ({0})",
              reason);
      return new Probe(false, 1, 1, reason);
    }
  }

  private record Probe(boolean available, int floatLanes, int doubleLanes, String reason) {}

  /** The only place that touches the Vector API before the probe has succeeded. */
  private static final class Species {
    private Species() {}

    static Probe probe() {
      int f = FloatVector.SPECIES_PREFERRED.length();
      int d = DoubleVector.SPECIES_PREFERRED.length();
      return new Probe(true, f, d, "");
    }
  }
}
