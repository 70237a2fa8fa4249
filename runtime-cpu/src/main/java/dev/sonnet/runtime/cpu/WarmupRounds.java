package dev.sonnet.runtime.cpu;

import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Repeats a warm-up round until the JIT has compiled what it calls, as far as the calling thread
 * can tell: a Vector API kernel that C2 has not compiled (or compiled without inlining the vector
 * operations) makes each vector an object, hundreds of kilobytes per round of {@link
 * KernelWarmup}'s small problems, while compiled kernels allocate (almost) nothing. So a phase ends
 * once {@value #SETTLED_ROUNDS} rounds in a row allocated at most its threshold, after at least
 * {@code minRounds} (so the profiles have seen every branch many times), or when {@code maxRounds}
 * or {@code maxNanos} of the whole warm-up are spent. Counting allocation, not time, keeps the
 * decision independent of the machine's load.
 *
 * <p>Once past {@code minRounds} without settling, C2 has usually queued the compilation and more
 * rounds only make garbage, so the rounds slow down to one per millisecond. Where the JVM cannot
 * count a thread's allocation (no {@code jdk.management} module), each phase runs {@code
 * fallbackRounds} rounds.
 */
final class WarmupRounds {
  /** Consecutive rounds at or under the threshold that end a phase. */
  static final int SETTLED_ROUNDS = 20;

  private final int minRounds;
  private final int maxRounds;
  private final int fallbackRounds;
  private final long deadline;
  private final LongSupplier allocated;
  private final BooleanSupplier stop;

  /**
   * A budget starting now; {@code allocated} counts this thread's allocated bytes, or is null;
   * {@code stop} ends every phase at once when it turns true.
   */
  WarmupRounds(
      int minRounds,
      int maxRounds,
      int fallbackRounds,
      long maxNanos,
      LongSupplier allocated,
      BooleanSupplier stop) {
    this.minRounds = minRounds;
    this.maxRounds = maxRounds;
    this.fallbackRounds = fallbackRounds;
    this.deadline = System.nanoTime() + maxNanos;
    this.allocated = allocated;
    this.stop = stop;
  }

  /** Past the deadline, told to stop, or interrupted. */
  private boolean over() {
    return stop.getAsBoolean()
        || System.nanoTime() > deadline
        || Thread.currentThread().isInterrupted();
  }

  /**
   * Runs {@code round} (given the round's number) until settled; returns the rounds run. Stops
   * early, without throwing, when told to or when the thread is interrupted.
   */
  int phase(IntConsumer round, long settledBytes) {
    if (allocated == null) {
      for (int r = 0; r < fallbackRounds; r++) {
        if (over()) {
          return r;
        }
        round.accept(r);
      }
      return fallbackRounds;
    }
    int quiet = 0;
    for (int r = 0; r < maxRounds; r++) {
      long before = allocated.getAsLong();
      round.accept(r);
      quiet = allocated.getAsLong() - before <= settledBytes ? quiet + 1 : 0;
      if ((quiet >= SETTLED_ROUNDS && r + 1 >= minRounds) || over()) {
        return r + 1;
      }
      if (r >= minRounds && quiet == 0) {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return r + 1;
        }
      }
    }
    return maxRounds;
  }

  /**
   * This thread's allocated bytes, from {@code com.sun.management.ThreadMXBean}; null where the JVM
   * does not offer or count them.
   */
  static LongSupplier threadAllocation() {
    try {
      if (java.lang.management.ManagementFactory.getThreadMXBean()
              instanceof com.sun.management.ThreadMXBean mx
          && mx.isThreadAllocatedMemorySupported()
          && mx.isThreadAllocatedMemoryEnabled()) {
        return mx::getCurrentThreadAllocatedBytes;
      }
    } catch (LinkageError | RuntimeException e) {
      // No java.management / jdk.management in this runtime: count rounds instead.
    }
    return null;
  }
}
