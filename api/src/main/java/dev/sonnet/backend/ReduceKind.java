package dev.sonnet.backend;

/**
 * Reductions over a set of axes. {@link #ARGMAX} and {@link #ARGMIN} reduce exactly one axis and
 * return {@code INT64} indices (the first index on ties, as NumPy); the others keep the dtype.
 * Reducing an empty axis gives 0 for SUM, 1 for PROD, and is an error for MAX, MIN and the args.
 */
public enum ReduceKind {
  SUM,
  PROD,
  MAX,
  MIN,
  ARGMAX,
  ARGMIN
}
