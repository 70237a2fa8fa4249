package dev.sonnet.module;

/**
 * A region of a thread in which top-level modules get unique names, optionally under a prefix.
 *
 * <p>Modules nested in another module are always uniquified among their siblings. Top-level modules
 * are uniquified only inside a name scope (and among the layers of one {@link Sequential}), so that
 * a program's names never depend on what else ran earlier in the JVM:
 *
 * <pre>{@code
 * try (var _ = NameScope.open()) {
 *   var a = new Linear(42, "linear");
 *   var b = new Linear(84, "linear");
 *   b.name();                          // "linear_1"
 * }
 * try (var _ = NameScope.open("encoder")) {
 *   new Linear(3).path();              // "encoder/linear"
 * }
 * }</pre>
 *
 * <p>A module belongs to the scope that was open on its thread when it was constructed. Scopes
 * nest; close them in reverse order (try-with-resources does).
 */
public final class NameScope implements AutoCloseable {
  private static final ThreadLocal<NameScope> CURRENT = new ThreadLocal<>();

  private final NameScope outer;
  private final String path;
  private final Thread owner;
  final Naming.NameTable roots = new Naming.NameTable();
  private boolean closed;

  private NameScope(NameScope outer, String path) {
    this.outer = outer;
    this.path = path;
    this.owner = Thread.currentThread();
  }

  /** Opens a scope without a prefix: top-level modules created in it get unique names. */
  public static NameScope open() {
    NameScope outer = CURRENT.get();
    NameScope scope = new NameScope(outer, outer == null ? null : outer.path);
    CURRENT.set(scope);
    return scope;
  }

  /** Opens a scope whose top-level modules live under {@code prefix}, as {@code prefix/linear}. */
  public static NameScope open(String prefix) {
    Naming.checkName(prefix, "Name scope");
    NameScope outer = CURRENT.get();
    String path = outer == null || outer.path == null ? prefix : outer.path + "/" + prefix;
    NameScope scope = new NameScope(outer, path);
    CURRENT.set(scope);
    return scope;
  }

  /** The prefix of top-level module paths in this scope, or null for none. */
  public String path() {
    return path;
  }

  /** The innermost open scope of this thread, or null. */
  static NameScope current() {
    return CURRENT.get();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (Thread.currentThread() != owner || CURRENT.get() != this) {
      throw new ModuleException(
          "NameScope "
              + (path == null ? "" : "\"" + path + "\" ")
              + "closed out of order or on another thread: close scopes in reverse order of"
              + " opening, on the thread that opened them (use try (var s = NameScope.open()) {...})");
    }
    closed = true;
    if (outer == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(outer);
    }
  }
}
