package dev.sonnet.backend;

import java.util.function.Supplier;

/**
 * An optional capability of a {@link Backend} whose kernels split work across host threads (the CPU
 * runtime): how many threads a kernel called from the current thread may use. Replicas that share
 * one CPU split its cores with it, so two replicas on two cores each run their kernels on one
 * thread instead of both fighting over two.
 *
 * <p>Results never depend on the thread count (a backend's promise), so a budget changes speed,
 * never values.
 */
public interface ThreadBudget {
  /** The threads a kernel called from this thread splits its work across now. */
  int threads();

  /**
   * Runs {@code body} with kernels called from this thread (only) split across at most {@code
   * threads} threads, and returns its result; calls nest.
   */
  <T> T withThreadsOnThisThread(int threads, Supplier<T> body);
}
