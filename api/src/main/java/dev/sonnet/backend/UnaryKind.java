package dev.sonnet.backend;

/**
 * Elementwise functions of one argument. Output dtype equals input dtype. Float-only kinds reject
 * integer and bool buffers; {@link #NEG}, {@link #ABS}, {@link #SIGN} and {@link #SQUARE} also take
 * integers; {@link #LOGICAL_NOT} takes only bool.
 */
public enum UnaryKind {
  NEG,
  ABS,
  EXP,
  LOG,
  LOG1P,
  SQRT,
  RSQRT,
  SQUARE,
  TANH,
  SIGMOID,
  RELU,
  /** Exact GELU, {@code x * Phi(x)} with the normal CDF through erf (TensorFlow's default). */
  GELU,
  /** {@code log(1 + exp(x))}, computed without overflow. */
  SOFTPLUS,
  SIGN,
  SIN,
  COS,
  /** {@code 1 / x}. */
  RECIPROCAL,
  /** Standard normal CDF {@code 0.5 * (1 + erf(x / sqrt 2))}; GELU's gradient needs it. */
  NORMAL_CDF,
  LOGICAL_NOT;

  /** True where the function is defined on integer buffers too. */
  public boolean acceptsIntegers() {
    return this == NEG || this == ABS || this == SIGN || this == SQUARE;
  }
}
