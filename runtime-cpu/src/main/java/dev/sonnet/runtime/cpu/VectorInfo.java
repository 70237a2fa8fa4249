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
 * means "not available", is logged once as a WARNING naming the flag, and makes {@link CpuBackend}
 * fall back to the scalar kernels. No vector kernel class is loaded before this probe has
 * succeeded.
 */
final class VectorInfo {
  /**
   * Logged once as a WARNING when the module is missing: the program still runs, several times
   * slower (an epoch of the main job's MLP took 4.6x as long), so it must be seen, and the one fix
   * is a JVM flag (no jar manifest attribute adds a module).
   */
  static final String MISSING_MODULE_WARNING =
      "Sonnet CPU runtime: the JVM was started without the Vector API module, so the CPU backend"
          + " runs its scalar kernels, several times slower (an MLP epoch: 4.6x). Start java with"
          + " --add-modules jdk.incubator.vector (or set JDK_JAVA_OPTIONS=\"--add-modules"
          + " jdk.incubator.vector\"); -Dsonnet.cpu.vector=false chooses the scalar kernels on"
          + " purpose and silences this.";

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
      String reason = e + "; start the JVM with --add-modules jdk.incubator.vector";
      System.getLogger(VectorInfo.class.getName()).log(Level.WARNING, MISSING_MODULE_WARNING);
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
