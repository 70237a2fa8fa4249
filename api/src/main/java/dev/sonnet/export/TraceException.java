package dev.sonnet.export;

import dev.sonnet.SonnetException;

/**
 * A function could not be traced into a graph: it used an op the graph format cannot hold, read a
 * tensor's values to decide what to do, assigned a variable, or computed a size from an unknown
 * dimension in a way no {@link DimExpr} expresses. The message names the op and the module whose
 * call ran it.
 */
public final class TraceException extends SonnetException {
  private static final long serialVersionUID = 1L;

  private final String op;
  private final String modulePath;

  TraceException(String op, String modulePath, String message) {
    super(message);
    this.op = op;
    this.modulePath = modulePath;
  }

  TraceException(String message, Throwable cause) {
    super(message, cause);
    this.op = null;
    this.modulePath = null;
  }

  /** The op at fault ({@code scatter_add}, {@code read}), or null when none is. */
  public String op() {
    return op;
  }

  /** The module whose call ran it ({@code mlp/linear_0}), or null when outside any module. */
  public String modulePath() {
    return modulePath;
  }

  /** {@code " in module a/b"}, or nothing outside any module. */
  static String where(String modulePath) {
    return modulePath == null || modulePath.isEmpty() ? "" : " in module " + modulePath;
  }
}
