package dev.sonnet.tensor;

/**
 * While open on a thread, every {@link Variable#read()} of a floating variable on that thread
 * returns its value cast to one dtype; the cast is an ordinary (recorded) op, so gradients flow
 * back to the variable in its own dtype. This is how mixed precision computes with 16-bit copies of
 * float32 variables ({@code dev.sonnet.mixedprecision.MixedPrecision}), and what Sonnet does with a
 * custom variable getter. Scopes nest; the innermost wins.
 *
 * <p>Cost when no scope is open anywhere: one read of a static counter per variable read.
 */
public final class VariableReadCast implements AutoCloseable {
  private static final ThreadLocal<VariableReadCast> CURRENT = new ThreadLocal<>();
  private static volatile int open;

  private final DType dtype;
  private final VariableReadCast outer;
  private boolean closed;

  private VariableReadCast(DType dtype, VariableReadCast outer) {
    this.dtype = dtype;
    this.outer = outer;
  }

  /** Casts this thread's floating variable reads to {@code dtype} until closed. */
  public static VariableReadCast open(DType dtype) {
    if (dtype == null || !dtype.isFloating()) {
      throw new IllegalArgumentException(
          "VariableReadCast: variables can be read as a floating dtype only, not " + dtype);
    }
    VariableReadCast scope = new VariableReadCast(dtype, CURRENT.get());
    CURRENT.set(scope);
    synchronized (VariableReadCast.class) {
      open++;
    }
    return scope;
  }

  /** The dtype reads are cast to on this thread, or null. */
  static DType current() {
    if (open == 0) {
      return null;
    }
    VariableReadCast scope = CURRENT.get();
    return scope == null ? null : scope.dtype;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (CURRENT.get() != this) {
      throw new IllegalStateException(
          "VariableReadCast scopes must close innermost first, on the thread that opened them");
    }
    closed = true;
    if (outer == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(outer);
    }
    synchronized (VariableReadCast.class) {
      open--;
    }
  }
}
