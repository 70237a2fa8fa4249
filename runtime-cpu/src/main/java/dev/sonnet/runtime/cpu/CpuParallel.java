package dev.sonnet.runtime.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The CPU runtime's one process-wide thread pool and its only entry point, {@link #parallelFor}.
 *
 * <p>A kernel describes its work as {@code n} independent items (rows, output panels, batch
 * entries) and a {@code grain}: the fewest items worth handing to another thread. When {@code n <=
 * grain}, when the pool has one thread, or when the caller is itself a pool worker (nested
 * parallelism), the body runs inline on the calling thread, so small tensors never pay for a thread
 * hand-off. Otherwise the range is cut into at most {@link #threads()} contiguous chunks of at least
 * {@code grain} items; the caller runs the first chunk itself and waits for the rest. The chunks
 * depend only on {@code n}, {@code grain} and the thread count, never on timing.
 *
 * <p>Kernels pick {@code grain} from the work per item with {@link #grainFor(long)}, so that every
 * chunk carries at least {@link #MIN_PARALLEL_WORK} units (roughly: scalar operations).
 *
 * <p>The pool is created on first use with {@value #THREADS_PROPERTY} threads (default: the number
 * of available processors); its threads are daemons, so it never keeps the JVM alive.
 */
final class CpuParallel {
  /** System property: the number of worker threads; defaults to the available processors. */
  static final String THREADS_PROPERTY = "sonnet.cpu.threads";

  /**
   * Work (about one multiply-add or one element touched per unit) below which splitting does not pay
   * for waking another thread: a few tens of microseconds.
   */
  static final long MIN_PARALLEL_WORK = 1L << 15;

  private static volatile ForkJoinPool pool;
  private static volatile int threadCount;

  private CpuParallel() {}

  /** The body of a parallel loop: processes items {@code [start, end)}. */
  @FunctionalInterface
  interface RangeBody {
    void run(int start, int end);
  }

  /** The number of threads kernels may use, including the calling thread. */
  static int threads() {
    int t = threadCount;
    if (t == 0) {
      t = configuredThreads();
      threadCount = t;
    }
    return t;
  }

  /** The grain for items that each cost {@code workPerItem} units: at least 1. */
  static int grainFor(long workPerItem) {
    long g = MIN_PARALLEL_WORK / Math.max(1, workPerItem);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, g));
  }

  /**
   * Runs {@code body} over {@code [0, n)}, split across the pool when {@code n > grain}; returns
   * once every item is done. An exception thrown by any chunk is rethrown here.
   */
  static void parallelFor(int n, int grain, RangeBody body) {
    if (n <= 0) {
      return;
    }
    int t = threads();
    int g = Math.max(1, grain);
    if (n <= g || t == 1 || isPoolWorker()) {
      body.run(0, n);
      return;
    }
    int chunks = (int) Math.min(t, (n + (long) g - 1) / g);
    if (chunks <= 1) {
      body.run(0, n);
      return;
    }
    ForkJoinPool p = pool();
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
    for (int c = 1; c < chunks; c++) {
      int start = chunkStart(n, chunks, c);
      int end = chunkStart(n, chunks, c + 1);
      tasks[c - 1] = p.submit(ForkJoinTask.adapt(() -> body.run(start, end), null));
    }
    RuntimeException failure = null;
    try {
      body.run(0, chunkStart(n, chunks, 1));
    } catch (RuntimeException | Error e) {
      failure = wrap(e);
    }
    for (ForkJoinTask<?> task : tasks) {
      try {
        task.join();
      } catch (RuntimeException | Error e) {
        if (failure == null) {
          failure = wrap(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException wrap(Throwable e) {
    if (e instanceof RuntimeException r) {
      return r;
    }
    if (e instanceof Error err) {
      throw err;
    }
    return new RuntimeException(e);
  }

  private static int chunkStart(int n, int chunks, int c) {
    return (int) ((long) n * c / chunks);
  }

  private static boolean isPoolWorker() {
    return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool;
  }

  private static ForkJoinPool pool() {
    ForkJoinPool p = pool;
    if (p == null) {
      synchronized (CpuParallel.class) {
        p = pool;
        if (p == null) {
          // Workers of a ForkJoinPool are daemon threads; the caller is one of the threads().
          p = new ForkJoinPool(Math.max(1, threads() - 1));
          pool = p;
        }
      }
    }
    return p;
  }

  private static int configuredThreads() {
    int fallback = Runtime.getRuntime().availableProcessors();
    String value = System.getProperty(THREADS_PROPERTY);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int t = Integer.parseInt(value.trim());
      if (t >= 1) {
        return t;
      }
    } catch (NumberFormatException e) {
      // fall through to the warning
    }
    System.getLogger(CpuParallel.class.getName()).log(System.Logger.Level.WARNING,
        "Ignoring -D{0}={1}: expected a positive integer; using {2} threads",
        THREADS_PROPERTY, value, fallback);
    return fallback;
  }
}
