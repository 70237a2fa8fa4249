package dev.sonnet.module;

import dev.sonnet.ops.CheckNumerics;

/**
 * Names the module whose call is running on this thread, for tools that report where an operation
 * came from: the graph tracer names each traced op's module, and its errors name the module that
 * did something a graph cannot hold.
 *
 * <p>Module calls are followed only while someone needs them (check-numerics mode, or an open
 * {@link #follow()}), so an ordinary call pays one read of two flags.
 */
public final class ModulePaths {
  /** How many {@link Following}s are open, on any thread. */
  private static volatile int following;

  private ModulePaths() {}

  /**
   * Follows module calls (on every thread) until the returned handle is closed; handles nest. Slows
   * each module call by a stack walk, so open it only around work that needs the paths.
   */
  public static Following follow() {
    synchronized (ModulePaths.class) {
      following++;
    }
    return new Following();
  }

  /**
   * The path of the innermost module whose call is running on this thread ({@code mlp/linear_0}),
   * or null when none is, or when module calls are not being followed.
   */
  public static String current() {
    return CallTrail.innermostPath();
  }

  /** Whether module calls are being recorded now; read by every module call. */
  static boolean on() {
    return following > 0 || CheckNumerics.isEnabled();
  }

  /** An open {@link #follow()}; closing it twice has no further effect. */
  public static final class Following implements AutoCloseable {
    private boolean closed;

    private Following() {}

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        synchronized (ModulePaths.class) {
          following--;
        }
      }
    }
  }
}
