package dev.sonnet.runtime.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU runtime's one process-wide thread pool and its only entry point, {@link #parallelFor}.
 *
 * <p>A kernel describes its work as {@code n} independent items (rows, output panels, batch
 * entries) and a {@code grain}: the fewest items worth handing to another thread. When {@code n <=
 * grain}, when the pool has one thread, or when the caller is itself a pool worker (nested
 * parallelism), the body runs inline on the calling thread, so small tensors never pay for a thread
 * hand-off. Otherwise the range is cut into at most {@link #threads()} contiguous chunks of at
 * least {@code grain} items. The caller offers the job to idle workers, then claims chunks itself
 * like any worker, and waits for the chunks others claimed; a chunk no worker picked up in time is
 * run by the caller, so a busy pool (or a concurrent caller) never stalls a loop. The chunks depend
 * only on {@code n}, {@code grain} and the thread count, never on timing; which thread runs which
 * chunk does.
 *
 * <p><b>Results never depend on the thread count.</b> Every kernel's result is bit-identical
 * whatever {@value #THREADS_PROPERTY} is and however the chunks are scheduled, so a seeded run
 * reproduces on any machine. Kernels keep that promise by two rules: (1) the chunks of a loop are
 * independent outputs, and each output element is computed by the same arithmetic whichever chunk
 * holds it: a kernel whose vector body and scalar tail may round differently asks for chunk
 * boundaries on a multiple of {@link #VECTOR_ALIGNMENT} items ({@link #parallelFor(int, int, int,
 * RangeBody)}), so its tail never moves; (2) a sum over a reduced dimension that is split for
 * parallelism is split into parts fixed by the problem size alone (never by {@link #threads()}),
 * each summed in order, and the parts are added in part order (see {@link
 * DirectConvFilterGradF32}). {@code ThreadCountDeterminismTest} checks every kernel family with 1,
 * 2 and 3 threads through {@link #withThreads}.
 *
 * <p><b>Spin before park.</b> An idle worker spins ({@link Thread#onSpinWait()}) for {@value
 * #SPIN_NANOS} ns before parking, and so does a caller waiting for the last chunks, so back-to-back
 * kernels (a training step's ops) hand work over without a futex wake-up; a parked worker is
 * unparked only when it has actually parked.
 *
 * <p>Kernels pick {@code grain} from the work per item with {@link #grainFor(long)}, so that every
 * chunk carries at least {@link #MIN_PARALLEL_WORK} units (roughly: scalar operations).
 *
 * <p>The pool is created on first use with {@value #THREADS_PROPERTY} threads including the caller
 * (default: the number of available processors), once per process; its threads are daemons, so it
 * never keeps the JVM alive.
 */
final class CpuParallel {
  /** System property: the number of worker threads; defaults to the available processors. */
  static final String THREADS_PROPERTY = "sonnet.cpu.threads";

  /**
   * Work (about one multiply-add or one element touched per unit) below which splitting does not
   * pay for waking another thread: a few tens of microseconds.
   */
  static final long MIN_PARALLEL_WORK = 1L << 15;

  /** How long an idle worker, or a caller waiting for chunks, spins before parking. */
  static final long SPIN_NANOS = 30_000;

  /**
   * Items on which an element-wise kernel's chunks start: a multiple of every vector length the
   * Vector API offers for float and double (up to 2048-bit vectors: 64 floats), so a chunk's vector
   * body covers the same elements in every split and only the buffer's own last elements take the
   * scalar tail.
   */
  static final int VECTOR_ALIGNMENT = 64;

  private static volatile Worker[] workers;
  private static volatile int threadCount;

  /** The thread count that {@link #withThreads} imposes for now; 0 when none. */
  private static volatile int threadsOverride;

  private static final Object OVERRIDE_LOCK = new Object();

  /**
   * A thread count for loops started on one thread (a replica's share of the cores): {@code [0]} is
   * 0 when none is set. An array, so reading it boxes nothing.
   */
  private static final ThreadLocal<int[]> THREAD_BUDGET = ThreadLocal.withInitial(() -> new int[1]);

  private CpuParallel() {}

  /** The body of a parallel loop: processes items {@code [start, end)}. */
  @FunctionalInterface
  interface RangeBody {
    void run(int start, int end);
  }

  /**
   * The number of threads kernels split their work for, including the calling thread: the pool's
   * size, unless {@link #withThreads} says otherwise for now.
   */
  static int threads() {
    int b = THREAD_BUDGET.get()[0];
    if (b != 0) {
      return b;
    }
    int o = threadsOverride;
    return o != 0 ? o : poolThreads();
  }

  /**
   * Runs {@code body} with loops started on the calling thread (only) split for at most {@code
   * threads} threads, and returns its result; other threads keep their count, calls nest. This is
   * how replicas sharing the CPU split its cores: each replica thread gets its share, and the pool
   * serves them all. It takes precedence over {@link #withThreads} on that thread.
   */
  static <T> T withThreadsOnThisThread(int threads, java.util.function.Supplier<T> body) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    int[] budget = THREAD_BUDGET.get();
    int previous = budget[0];
    budget[0] = threads;
    try {
      return body.get();
    } finally {
      budget[0] = previous;
    }
  }

  /**
   * For tests: runs {@code body} with every loop split as if the pool had {@code threads} threads
   * (1 runs everything inline), and returns its result. The pool itself keeps its size: chunks that
   * outnumber its threads are claimed by whichever threads are free, which is how a loop runs on a
   * busy pool anyway. The override is process-wide, as the pool is; calls are serialized on one
   * lock and may nest (the inner count holds until the inner call returns). Kernels give the same
   * results under any count, which is what this lets a single JVM check.
   */
  static <T> T withThreads(int threads, java.util.function.Supplier<T> body) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    synchronized (OVERRIDE_LOCK) {
      int previous = threadsOverride;
      threadsOverride = threads;
      try {
        return body.get();
      } finally {
        threadsOverride = previous;
      }
    }
  }

  /** The pool's size including the calling thread: {@value #THREADS_PROPERTY}, read once. */
  private static int poolThreads() {
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
   * Whether {@link #parallelFor}{@code (n, grain, ...)} would run on the calling thread alone: lets
   * a kernel call its loop directly, without building a body object, for small work.
   */
  static boolean runsInline(int n, int grain) {
    return n <= Math.max(1, grain) || threads() == 1 || isPoolWorker();
  }

  /**
   * Runs {@code body} over {@code [0, n)}, split across the pool when {@code n > grain}; returns
   * once every item is done. An exception thrown by any chunk is rethrown here.
   */
  static void parallelFor(int n, int grain, RangeBody body) {
    parallelFor(n, grain, 1, body);
  }

  /**
   * {@link #parallelFor(int, int, RangeBody)} with every chunk but the first starting on a multiple
   * of {@code alignment} items (a chunk may then be shorter than {@code grain}, or empty and
   * skipped). Element-wise kernels pass {@link #VECTOR_ALIGNMENT}, so which elements take their
   * scalar tail never depends on the split.
   */
  static void parallelFor(int n, int grain, int alignment, RangeBody body) {
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
    run(new Job(body, n, chunks, Math.max(1, alignment)));
  }

  /**
   * Runs {@code body} over {@code [0, n)} as {@code n} one-item chunks, claimed one at a time by
   * the calling thread and the pool's threads until none is left: for work cut into a few times
   * more pieces than threads, so that a thread running slower for a while (on a virtual machine, a
   * vCPU whose host core is busy elsewhere) takes fewer pieces instead of holding the others up, as
   * one chunk per thread would. The body must compute the same values whichever thread runs an
   * item.
   */
  static void parallelForEach(int n, RangeBody body) {
    if (n <= 0) {
      return;
    }
    if (n == 1 || threads() == 1 || isPoolWorker()) {
      body.run(0, n);
      return;
    }
    run(new Job(body, n, n, 1));
  }

  /** Offers {@code job} to the workers it has chunks for, works on it too, waits for the rest. */
  private static void run(Job job) {
    int chunks = job.chunks;
    Worker[] ws = workers();
    int offered = 0;
    for (int i = 0; i < ws.length && offered < chunks - 1; i++) {
      if (ws[i].offer(job)) {
        offered++;
      }
    }
    job.work();
    job.awaitDone();
    Throwable failure = job.failure;
    if (failure != null) {
      throw wrap(failure);
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

  /** Where chunk {@code c} of {@code chunks} starts: {@code n} for {@code c == chunks}. */
  private static int chunkStart(int n, int chunks, int alignment, int c) {
    if (c >= chunks) {
      return n;
    }
    long start = (long) n * c / chunks;
    return (int) (start / alignment * alignment);
  }

  private static boolean isPoolWorker() {
    return Thread.currentThread() instanceof Worker;
  }

  private static Worker[] workers() {
    Worker[] ws = workers;
    if (ws == null) {
      synchronized (CpuParallel.class) {
        ws = workers;
        if (ws == null) {
          // The caller is one of the pool's threads.
          ws = new Worker[Math.max(0, poolThreads() - 1)];
          for (int i = 0; i < ws.length; i++) {
            ws[i] = new Worker(i);
            ws[i].start();
          }
          workers = ws;
        }
      }
    }
    return ws;
  }

  /** One parallel loop: chunks are claimed in order by the caller and the workers it reached. */
  private static final class Job {
    private final RangeBody body;
    private final int n;
    private final int chunks;
    private final int alignment;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger doneChunks = new AtomicInteger();
    private volatile Thread waiter;
    volatile Throwable failure;

    Job(RangeBody body, int n, int chunks, int alignment) {
      this.body = body;
      this.n = n;
      this.chunks = chunks;
      this.alignment = alignment;
    }

    /** Claims and runs chunks until none is left. */
    void work() {
      int c;
      while ((c = nextChunk.getAndIncrement()) < chunks) {
        try {
          int from = chunkStart(n, chunks, alignment, c);
          int to = chunkStart(n, chunks, alignment, c + 1);
          if (from < to) {
            body.run(from, to);
          }
        } catch (Throwable e) {
          if (failure == null) {
            failure = e;
          }
        } finally {
          if (doneChunks.incrementAndGet() == chunks) {
            Thread w = waiter;
            if (w != null) {
              LockSupport.unpark(w);
            }
          }
        }
      }
    }

    /** Waits (spinning first, then parked) until every chunk has run. */
    void awaitDone() {
      if (doneChunks.get() == chunks) {
        return;
      }
      long deadline = System.nanoTime() + SPIN_NANOS;
      while (doneChunks.get() < chunks) {
        if (System.nanoTime() >= deadline) {
          waiter = Thread.currentThread();
          while (doneChunks.get() < chunks) {
            LockSupport.park(this);
          }
          return;
        }
        Thread.onSpinWait();
      }
    }
  }

  /** A pool thread: takes one job at a time from its slot, spinning briefly before parking. */
  private static final class Worker extends Thread {
    private static final VarHandle SLOT;

    static {
      try {
        SLOT = MethodHandles.lookup().findVarHandle(Worker.class, "slot", Job.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    @SuppressWarnings("unused") // accessed through SLOT
    private volatile Job slot;

    private volatile boolean sleeping;

    Worker(int index) {
      super("sonnet-cpu-" + index);
      setDaemon(true);
    }

    /** Hands {@code job} to this worker if it is idle; false when it is busy. */
    boolean offer(Job job) {
      if (!SLOT.compareAndSet(this, (Job) null, job)) {
        return false;
      }
      if (sleeping) {
        LockSupport.unpark(this);
      }
      return true;
    }

    @Override
    public void run() {
      for (; ; ) {
        Job job = slot;
        if (job == null) {
          long deadline = System.nanoTime() + SPIN_NANOS;
          while ((job = slot) == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
          }
          if (job == null) {
            // Publish "sleeping" before the last look at the slot: offer() writes the slot, then
            // reads "sleeping", so one of the two sides sees the other.
            sleeping = true;
            while ((job = slot) == null) {
              LockSupport.park(this);
            }
            sleeping = false;
          }
        }
        try {
          job.work();
        } finally {
          slot = null;
        }
      }
    }
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
    System.getLogger(CpuParallel.class.getName())
        .log(
            System.Logger.Level.WARNING,
            "Ignoring -D{0}={1}: expected a positive integer; using {2} threads",
            THREADS_PROPERTY,
            value,
            fallback);
    return fallback;
  }
}
