package dev.sonnet.backend;

/**
 * Elementwise functions of two arguments of one dtype. Arithmetic kinds return that dtype;
 * comparisons and logical kinds return {@code BOOL}. Integer division truncates toward zero, as
 * Java does.
 */
public enum BinaryKind {
  ADD,
  SUB,
  MUL,
  DIV,
  POW,
  MAXIMUM,
  MINIMUM,
  EQUAL,
  NOT_EQUAL,
  LESS,
  LESS_EQUAL,
  GREATER,
  GREATER_EQUAL,
  LOGICAL_AND,
  LOGICAL_OR;

  /** True for kinds whose output is {@code BOOL} whatever the input dtype. */
  public boolean returnsBool() {
    return ordinal() >= EQUAL.ordinal();
  }

  /** True for the arithmetic kinds that only make sense on floating dtypes. */
  public boolean floatOnly() {
    return this == POW;
  }
}
