package dev.sonnet.tensor;

import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * While open on a thread, every {@link Variable#read()} on that thread of a variable {@code which}
 * accepts returns {@code getter} applied to the value: the read path for custom variable getters
 * ({@code dev.sonnet.module.CustomGetters}: Sonnet 2's {@code custom_variable_getter}, Sonnet 1's
 * {@code stop_gradient}). The read itself is recorded first, so a getter made of ordinary ops (a
 * cast, {@code Gradients.stop}) is seen by gradient tapes like any other op. Scopes nest: each open
 * getter applies, innermost last. {@link Variable#peek()} (optimizers, checkpoints) is never
 * affected.
 *
 * <p>Cost when no scope is open anywhere: one read of a static counter per variable read.
 */
public final class VariableReadGetter implements AutoCloseable {
  private static final ThreadLocal<VariableReadGetter> CURRENT = new ThreadLocal<>();
  private static volatile int open;

  private final Predicate<Variable> which;
  private final UnaryOperator<Tensor> getter;
  private final VariableReadGetter outer;
  private boolean closed;

  private VariableReadGetter(
      Predicate<Variable> which, UnaryOperator<Tensor> getter, VariableReadGetter outer) {
    this.which = which;
    this.getter = getter;
    this.outer = outer;
  }

  /**
   * Applies {@code getter} to this thread's reads of the variables {@code which} accepts until
   * closed. The getter must return a tensor of the variable's shape (its dtype may differ: a cast).
   */
  public static VariableReadGetter open(Predicate<Variable> which, UnaryOperator<Tensor> getter) {
    if (which == null || getter == null) {
      throw new IllegalArgumentException("VariableReadGetter: which and getter must not be null");
    }
    VariableReadGetter scope = new VariableReadGetter(which, getter, CURRENT.get());
    CURRENT.set(scope);
    synchronized (VariableReadGetter.class) {
      open++;
    }
    return scope;
  }

  /** {@code value} as read through every getter open on this thread that accepts {@code v}. */
  static Tensor apply(Variable v, Tensor value) {
    if (open == 0) {
      return value;
    }
    VariableReadGetter scope = CURRENT.get();
    return scope == null ? value : scope.applyFromOutermost(v, value);
  }

  private Tensor applyFromOutermost(Variable v, Tensor value) {
    Tensor t = outer == null ? value : outer.applyFromOutermost(v, value);
    if (!which.test(v)) {
      return t;
    }
    Tensor out = getter.apply(t);
    if (out == null || !out.shape().equals(v.shape())) {
      throw new ShapeException(
          "A custom variable getter returned "
              + (out == null ? "null" : out.dtype() + "" + out.shape())
              + " for variable '"
              + v.name()
              + "' of shape "
              + v.shape()
              + "; a getter must keep the variable's shape");
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
          "VariableReadGetter scopes must close innermost first, on the thread that opened them");
    }
    closed = true;
    if (outer == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(outer);
    }
    synchronized (VariableReadGetter.class) {
      open--;
    }
  }
}
