package dev.sonnet.module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which {@link VariableInterceptor}s were asked for values during the outermost build running on
 * this thread, so that {@link Module} can tell them, once, when it ends (see {@link
 * VariableInterceptor#buildEnded}). A build is outermost when no other build is running on the
 * thread.
 */
final class OutermostBuild {
  private static final ThreadLocal<Set<VariableInterceptor>> CONSULTED = new ThreadLocal<>();

  private OutermostBuild() {}

  /** Starts an outermost build and returns true, or returns false inside one. */
  static boolean begin() {
    if (CONSULTED.get() != null) {
      return false;
    }
    CONSULTED.set(Collections.newSetFromMap(new IdentityHashMap<>()));
    return true;
  }

  /** Notes that {@code interceptor} was asked for a value in the running outermost build. */
  static void consulted(VariableInterceptor interceptor) {
    Set<VariableInterceptor> s = CONSULTED.get();
    if (s != null) {
      s.add(interceptor);
    }
  }

  /**
   * Ends the outermost build of {@code module} and tells every interceptor consulted in it, and
   * {@code own} (the module's, or null), returning what they threw, in order.
   */
  static List<RuntimeException> end(Module module, VariableInterceptor own, boolean succeeded) {
    Set<VariableInterceptor> consulted = new LinkedHashSet<>(CONSULTED.get());
    CONSULTED.remove();
    if (own != null) {
      consulted.add(own);
    }
    List<RuntimeException> failures = new ArrayList<>();
    for (VariableInterceptor i : consulted) {
      try {
        i.buildEnded(module, succeeded);
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    return failures;
  }
}
