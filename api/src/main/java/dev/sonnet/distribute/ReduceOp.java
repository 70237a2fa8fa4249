package dev.sonnet.distribute;

/**
 * How an all-reduce combines the replicas' values, element by element: the names of Sonnet's (and
 * {@code tf.distribute}'s) {@code ReduceOp}.
 */
public enum ReduceOp {
  /** The sum over replicas, added in rank order (rank 0 first) so every run gives the same bits. */
  SUM,
  /**
   * The sum divided by the number of replicas (a division, not a multiplication by its reciprocal,
   * so a power-of-two replica count changes no bit beyond the sum's own rounding).
   */
  MEAN
}
