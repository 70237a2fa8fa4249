package dev.sonnet.module;

import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * While open on a thread, every variable that a module creates on that thread ({@link
 * Module#variable}) and that {@code which} accepts is created from the spec {@code adjust} returns:
 * the creation path for Sonnet 1's custom getters that change how a variable is made ({@code
 * non_trainable}, {@code override_args}; see {@link CustomGetters}). An adjustment may change
 * whether the variable is trainable and its initializer, never its name, shape or dtype (the module
 * relies on those). Scopes nest: each open adjustment applies, innermost last.
 *
 * <p>Cost when no scope is open anywhere: one read of a static counter per variable created.
 */
public final class VariableCreationGetter implements AutoCloseable {
  private static final ThreadLocal<VariableCreationGetter> CURRENT = new ThreadLocal<>();
  private static volatile int open;

  private final Predicate<VariableSpec> which;
  private final UnaryOperator<VariableSpec> adjust;
  private final VariableCreationGetter outer;
  private boolean closed;

  private VariableCreationGetter(
      Predicate<VariableSpec> which,
      UnaryOperator<VariableSpec> adjust,
      VariableCreationGetter outer) {
    this.which = which;
    this.adjust = adjust;
    this.outer = outer;
  }

  /** Adjusts this thread's variable creations that {@code which} accepts until closed. */
  public static VariableCreationGetter open(
      Predicate<VariableSpec> which, UnaryOperator<VariableSpec> adjust) {
    if (which == null || adjust == null) {
      throw new IllegalArgumentException(
          "VariableCreationGetter: which and adjust must not be null");
    }
    VariableCreationGetter scope = new VariableCreationGetter(which, adjust, CURRENT.get());
    CURRENT.set(scope);
    synchronized (VariableCreationGetter.class) {
      open++;
    }
    return scope;
  }

  /** {@code spec} as every scope open on this thread adjusts it. */
  static VariableSpec adjust(VariableSpec spec) {
    if (open == 0) {
      return spec;
    }
    VariableCreationGetter scope = CURRENT.get();
    return scope == null ? spec : scope.adjustFromOutermost(spec);
  }

  private VariableSpec adjustFromOutermost(VariableSpec spec) {
    VariableSpec s = outer == null ? spec : outer.adjustFromOutermost(spec);
    if (!which.test(s)) {
      return s;
    }
    VariableSpec out = adjust.apply(s);
    if (out == null
        || out.module() != s.module()
        || !out.name().equals(s.name())
        || !out.path().equals(s.path())
        || !out.shape().equals(s.shape())
        || out.dtype() != s.dtype()
        || out.initializer() == null) {
      throw new ModuleException(
          "A custom getter changed variable '"
              + s.path()
              + "' beyond what it may: it may change whether the variable is trainable and its"
              + " initializer, not its module, name, shape or dtype (got "
              + out
              + ")");
    }
    return out;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (CURRENT.get() != this) {
      throw new IllegalStateException(
          "VariableCreationGetter scopes must close innermost first, on the thread that opened"
              + " them");
    }
    closed = true;
    if (outer == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(outer);
    }
    synchronized (VariableCreationGetter.class) {
      open--;
    }
  }
}
