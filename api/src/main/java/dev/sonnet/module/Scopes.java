package dev.sonnet.module;

import java.lang.ref.WeakReference;

/**
 * What each thread is constructing and building: a stack of frames, innermost first.
 *
 * <p>A construction frame is pushed when a module's constructor starts and is never popped (Java
 * has no hook at the end of a subclass constructor); frames pushed during a build are dropped when
 * the build returns, and stale top-level frames are dropped from time to time. A module keeps the
 * stack as it was at its construction and decides its parent from it later (see {@link
 * Module#path()}).
 */
final class Scopes {
  private static final ThreadLocal<Frame> TOP = new ThreadLocal<>();
  private static final ThreadLocal<int[]> PUSHES = ThreadLocal.withInitial(() -> new int[1]);
  private static final int COMPACT_EVERY = 256;

  private Scopes() {}

  /**
   * One frame: {@code constructing} is set for a constructor, {@code building} for a build method
   * ({@code buildName} names it).
   */
  record Frame(WeakReference<Module> constructing, Module building, String buildName, Frame next) {}

  /** Pushes a construction frame for {@code module}; returns the stack as it was before. */
  static Frame enterConstruction(Module module) {
    Frame top = TOP.get();
    int[] pushes = PUSHES.get();
    if (++pushes[0] % COMPACT_EVERY == 0) {
      top = compact(top);
    }
    TOP.set(new Frame(new WeakReference<>(module), null, null, top));
    return top;
  }

  /** Pushes a build frame; pass the result to {@link #exit}. */
  static Frame enterBuild(Module module, String buildName) {
    Frame saved = TOP.get();
    TOP.set(new Frame(null, module, buildName, saved));
    return saved;
  }

  /** Restores the stack saved by {@link #enterBuild}. */
  static void exit(Frame saved) {
    if (saved == null) {
      TOP.remove();
    } else {
      TOP.set(saved);
    }
  }

  /** The innermost build frame of {@code module} on this thread, or null. */
  static Frame buildFrameOf(Module module) {
    for (Frame f = TOP.get(); f != null; f = f.next()) {
      if (f.building() == module) {
        return f;
      }
    }
    return null;
  }

  /** The module whose build is innermost in {@code stack}, or null. */
  static Module innermostBuilder(Frame stack) {
    for (Frame f = stack; f != null; f = f.next()) {
      if (f.building() != null) {
        return f.building();
      }
    }
    return null;
  }

  /**
   * Drops construction frames above the innermost build frame whose module is gone or has been
   * built (a built module's constructor has returned, so it cannot be a later module's parent).
   */
  private static Frame compact(Frame top) {
    java.util.ArrayList<Frame> kept = new java.util.ArrayList<>();
    Frame f = top;
    for (; f != null && f.building() == null; f = f.next()) {
      Module m = f.constructing().get();
      if (m != null && m.closedAt() == 0) {
        kept.add(f);
      }
    }
    Frame rebuilt = f;
    for (int i = kept.size() - 1; i >= 0; i--) {
      rebuilt = new Frame(kept.get(i).constructing(), null, null, rebuilt);
    }
    return rebuilt;
  }
}
