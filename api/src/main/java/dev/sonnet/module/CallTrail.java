package dev.sonnet.module;

import dev.sonnet.ops.CheckNumerics;
import java.util.ArrayList;
import java.util.List;

/**
 * Which module call is running on this thread, for {@link CheckNumerics}' messages and {@link
 * ModulePaths}: a module's {@code call} does not enter a scope (only its first call builds), so
 * nothing else knows.
 *
 * <p>Kept only while {@link ModulePaths#on()} (check-numerics mode, or a tracer): each call records
 * its module and the Java frame it runs in (the method that called {@code build(x)}, by its depth
 * from the bottom of the stack). A record is live while that frame is still on the stack, which is
 * checked only when an error message needs it; a new record drops those at its depth or deeper,
 * which have returned, so the trail never grows past the stack's depth.
 */
final class CallTrail {
  private static final StackWalker WALKER = StackWalker.getInstance();
  private static final ThreadLocal<List<Entry>> TRAIL = ThreadLocal.withInitial(ArrayList::new);

  static {
    CheckNumerics.locateModulesWith(CallTrail::innermostPath);
  }

  private record Entry(Module module, int depth, String className, String methodName) {}

  private CallTrail() {}

  /**
   * Records that {@code module} is being called from the frame {@code skip} frames above this
   * method's caller (0: the caller itself, 1: its caller).
   */
  static void enter(Module module, int skip) {
    List<StackWalker.StackFrame> frames = WALKER.walk(s -> s.skip(1).toList());
    if (skip >= frames.size()) {
      return;
    }
    StackWalker.StackFrame frame = frames.get(skip);
    int depth = frames.size() - 1 - skip;
    List<Entry> trail = TRAIL.get();
    while (!trail.isEmpty() && trail.get(trail.size() - 1).depth() >= depth) {
      trail.remove(trail.size() - 1);
    }
    trail.add(new Entry(module, depth, frame.getClassName(), frame.getMethodName()));
  }

  /** The path of the innermost module whose call is still running on this thread, or null. */
  static String innermostPath() {
    List<Entry> trail = TRAIL.get();
    if (trail.isEmpty()) {
      return null;
    }
    List<StackWalker.StackFrame> frames = WALKER.walk(s -> s.toList());
    for (int i = trail.size() - 1; i >= 0; i--) {
      Entry e = trail.get(i);
      int index = frames.size() - 1 - e.depth();
      if (index >= 0
          && index < frames.size()
          && frames.get(index).getClassName().equals(e.className())
          && frames.get(index).getMethodName().equals(e.methodName())) {
        return e.module().path();
      }
    }
    return null;
  }
}
