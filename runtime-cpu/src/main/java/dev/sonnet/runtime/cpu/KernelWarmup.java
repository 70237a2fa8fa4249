package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.FusedUpdate.Rule;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.backend.GemmEpilogue.Epilogue;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Runs the vector backend's hot float32 kernels on small arrays, once per JVM, on a background
 * daemon thread, so that C2 has compiled them before a training loop's first steps need them.
 *
 * <p><b>Why.</b> Until C2 compiles a Vector API kernel (the GEMM's {@code block}, {@code micro},
 * {@code packA}/{@code packB}, the epilogue, the reductions), its vector operations run in the
 * interpreter or C1 as objects, allocated per operation, tens of times slower; C2 compiles a method
 * only after some hundreds of calls with many loop iterations (more while its queue is long), and
 * with the branches it has seen taken: a path first taken later (the second depth block, an edge
 * tile, another epilogue) sends the compiled code back to the interpreter until it is compiled
 * again. A fresh JVM running the main job's MLP therefore took 15 to 25 steps to reach its steady
 * step, the first costing over a second of CPU. Here the GEMM's variants (packed, in place,
 * transposed, accumulating, batched, each epilogue; whole tiles, with edge tiles one round in four)
 * run first, then the element-wise, reduction, softmax cross-entropy and optimizer-update kernels,
 * each phase until its rounds stop allocating ({@link WarmupRounds}): about a second of one core.
 * The main job spends longer than that reading its data, so its first step finds the kernels
 * compiled.
 *
 * <p><b>Profiles.</b> The problems are shaped like real ones where it matters to the compiled code:
 * mostly whole micro tiles, since C2 inlines a call only where the profile says it is frequent.
 * With edge tiles dominating, the full-tile store was not inlined into the micro-kernel and the
 * user's products then allocated every vector they stored. {@code WarmupBench} in the samples
 * checks the steady step with and without the warm-up in one JMH run, its allocation included.
 *
 * <p><b>Guarantees.</b> It never changes a result: it only calls the kernels on arrays of its own,
 * and which code the JIT has compiled never changes what a kernel computes (its arithmetic order is
 * fixed by the source; the kinds whose vector form would differ once compiled take the scalar path
 * anyway, see {@link VectorUnary#supports}). It holds no memory afterwards: its buffers are made
 * here, never released, so neither {@link CpuArrayPool} nor any thread's {@link ThreadArrayCache}
 * sees them, and its per-thread scratch (the GEMM's packing buffers) dies with the thread. It never
 * uses the kernel pool: every call runs on its own thread ({@link
 * CpuParallel#withThreadsOnThisThread} with one thread), so it never delays a user's kernel waiting
 * for a pool worker.
 *
 * <p><b>Not in the way.</b> The application's first optimizer step ({@link #noteOptimizerStep})
 * ends it after its current round: from then on the training loop's own calls train the JIT, and a
 * warm-up round would compete for the cores and, taking a branch the loop's compiled code has not
 * seen, send that code back to the interpreter. So an application that trains at once shares the
 * cores with it for its first step only. (The thread asks for {@link Thread#MIN_PRIORITY}, which
 * Linux ignores unless the JVM runs with {@code -XX:ThreadPriorityPolicy=1}.)
 *
 * <p><b>When.</b> Only when asked for, with {@code -D}{@value #PROPERTY}{@code =true} (the main job
 * does): then the first vector {@link CpuBackend} a JVM creates starts it (the scalar reference
 * backend, for tests, does not). It is off by default because its profile is not the application's:
 * in a program that trains at once (no data loading to hide it behind), C2 has been seen compiling
 * the application's kernels from the warm-up's profile with different inlining, and a training step
 * then allocated 0.5 MB more per step than without it (two runs in three of {@code
 * ScopedTrainingAllocationTest}); a program that loads its data first, as the main job, gets its
 * steady step from about step 4 instead of step 15.
 */
final class KernelWarmup implements Runnable {
  /** System property: {@code true} turns the warm-up on (off by default). */
  static final String PROPERTY = "sonnet.cpu.warmup";

  /** The warm-up thread's name. */
  static final String THREAD_NAME = "sonnet-cpu-warmup";

  /**
   * Rounds each phase runs at least: C2 compiles a method called about 600 times with many loop
   * iterations (or 5000 times), a threshold that grows while its queue is long; the GEMM methods
   * are called about ten times a round.
   */
  static final int MIN_ROUNDS = 300;

  /** Rounds after which a phase ends even if its kernels still allocate. */
  static final int MAX_ROUNDS = 20_000;

  /** Rounds per phase where the JVM cannot count a thread's allocation. */
  static final int FALLBACK_ROUNDS = 3_000;

  /** Wall time after which the warm-up ends, however far it got. */
  static final long MAX_NANOS = 30_000_000_000L;

  /**
   * Bytes a GEMM round may allocate and count as compiled: the epilogue's small record per call;
   * before C2, a round allocates hundreds of kilobytes.
   */
  static final long GEMM_SETTLED_BYTES = 4 << 10;

  /**
   * Bytes a round of the other kernels may allocate and count as compiled: strided layouts and
   * reduction plans, a few kilobytes; before C2, over a hundred kilobytes.
   */
  static final long OTHERS_SETTLED_BYTES = 16 << 10;

  private static final AtomicReference<Thread> STARTED = new AtomicReference<>();

  /** Set by the application's first optimizer step: the warm-up then ends after its round. */
  private static volatile boolean applicationTraining;

  private final CpuBackend backend;
  private final int minRounds;
  private final int maxRounds;
  private final BooleanSupplier stop;

  /**
   * A warm-up with the given round bounds per phase (tests use small ones), ending early when
   * {@code stop} turns true.
   */
  KernelWarmup(CpuBackend backend, int minRounds, int maxRounds, BooleanSupplier stop) {
    this.backend = backend;
    this.minRounds = minRounds;
    this.maxRounds = maxRounds;
    this.stop = stop;
  }

  /** Whether {@value #PROPERTY} asks for the warm-up (off by default). */
  static boolean enabled() {
    return "true".equalsIgnoreCase(System.getProperty(PROPERTY, "false"));
  }

  /**
   * Whether a new {@code backend} asks for the warm-up: a vector backend, the property allowing.
   */
  static boolean wanted(CpuBackend backend) {
    return backend.vectorized() && enabled();
  }

  /**
   * Starts the warm-up for a new {@code backend} when {@link #wanted} and this JVM has not started
   * one yet.
   */
  static void startOnce(CpuBackend backend) {
    if (STARTED.get() != null || !wanted(backend)) {
      return;
    }
    Thread t =
        Thread.ofPlatform()
            .name(THREAD_NAME)
            .daemon(true)
            .priority(Thread.MIN_PRIORITY)
            .unstarted(
                new KernelWarmup(
                    backend, MIN_ROUNDS, MAX_ROUNDS, KernelWarmup::applicationTraining));
    if (STARTED.compareAndSet(null, t)) {
      t.start();
    }
  }

  /**
   * Called by {@link CpuBackend#fusedUpdate} on every optimizer step: the first one from a thread
   * other than the warm-up's ends the warm-up (after its current round). A training loop's own
   * calls then train the JIT, and from then on a warm-up round would only compete for the cores
   * and, taking a branch the application's compiled code has not seen, send that code back to the
   * interpreter. One volatile read per parameter update.
   */
  static void noteOptimizerStep() {
    if (!applicationTraining && Thread.currentThread() != STARTED.get()) {
      applicationTraining = true;
    }
  }

  /** Whether the application has begun training ({@link #noteOptimizerStep}). */
  static boolean applicationTraining() {
    return applicationTraining;
  }

  /** The warm-up thread this JVM started (perhaps finished), or null (tests). */
  static Thread started() {
    return STARTED.get();
  }

  @Override
  public void run() {
    try {
      CpuParallel.withThreadsOnThisThread(
          1,
          () -> {
            new Problems(backend)
                .run(
                    new WarmupRounds(
                        minRounds,
                        maxRounds,
                        Math.min(maxRounds, FALLBACK_ROUNDS),
                        MAX_NANOS,
                        WarmupRounds.threadAllocation(),
                        stop));
            return null;
          });
    } catch (RuntimeException | LinkageError e) {
      // A warm-up must never disturb the application: whatever failed here fails again, visibly,
      // where the application calls the kernel.
    }
  }

  /**
   * The small problems, made once per warm-up; every one far below the sizes that the kernels would
   * split across threads. The values are arbitrary finite numbers: they never reach a user. Every
   * argument is made here, once, so that a round allocates only what the kernels themselves do.
   */
  static final class Problems {
    private static final int ROWS = 8;
    private static final int COLUMNS = 70;
    private static final int UPDATE_SIZE = 300;
    private static final int CLASSIFIED = 13;
    private static final int CLASSES = 10;
    private static final int[] SHAPE = {ROWS, COLUMNS};
    private static final int[] FLAT_SHAPE = {ROWS * COLUMNS};
    private static final long[] DENSE = {COLUMNS, 1};
    private static final long[] BROADCAST_ROW = {0, 1};
    private static final long[] SCALAR = {0, 0};
    private static final boolean[] FIRST_AXIS = {true, false};
    private static final boolean[] LAST_AXIS = {false, true};
    private static final boolean[] ONE_AXIS = {true};
    private static final BinaryKind[] ARITHMETIC = {
      BinaryKind.ADD, BinaryKind.SUB, BinaryKind.MUL, BinaryKind.DIV
    };
    private static final UnaryKind[] UNARY = {UnaryKind.NEG, UnaryKind.RELU, UnaryKind.SQUARE};
    private static final Rule[] RULES = Rule.values();

    // The products: C of 8 rows and 64 or 32 columns, whole micro tiles (VectorGemmF32.MR rows by
    // NR columns, for up to 16 lanes), as nearly all of a real product's tiles are. The JIT inlines
    // a call into a compiled method only where the call is frequent; if edge tiles dominated here,
    // the full-tile store would not be inlined, and every vector it takes would be allocated in
    // the user's products too. Edge tiles run in one round out of EDGE_EVERY.
    private static final int EDGE_EVERY = 4;

    /** A hidden layer's forward: packed A and B, two depth blocks (deeper than KC). */
    private static final GemmSpec DEEP = spec(8, 64, 260, false, false, false);

    /** A packed product, with and without an epilogue. */
    private static final GemmSpec PACKED = spec(8, 64, 70, false, false, false);

    /** Shallow row-major B read in place (the direct path). */
    private static final GemmSpec DIRECT = spec(8, 64, 20, false, false, false);

    /** Input gradients, dY times W transposed: shallow and deep. */
    private static final GemmSpec TRANS_B_SHALLOW = spec(8, 64, 10, false, true, false);

    private static final GemmSpec TRANS_B = spec(8, 64, 70, false, true, false);

    /** Weight gradients, X transposed times dY: overwriting and accumulating. */
    private static final GemmSpec TRANS_A = spec(8, 64, 20, true, false, false);

    private static final GemmSpec TRANS_A_ACCUMULATE = spec(8, 64, 20, true, false, true);

    /** A shallow row-major A read in place against a narrow C (a convolution's im2col product). */
    private static final GemmSpec SHALLOW_A = spec(8, 32, 27, false, false, false);

    /** Two batch items, split by items. */
    private static final GemmSpec BATCHED =
        new GemmSpec(
            2, 8, 32, 20, false, 0, 20, 8 * 20, false, 0, 32, 20 * 32, 0, 32, 8 * 32, false);

    /**
     * A classifier layer's forward: packed (deeper than the direct path's limit), one edge panel.
     */
    private static final GemmSpec NARROW = spec(8, 10, 70, false, false, false);

    /** Edge strip and edge panel, packed and read in place, and a transposed weight gradient. */
    private static final GemmSpec EDGES = spec(5, 40, 70, false, false, false);

    private static final GemmSpec EDGES_DIRECT = spec(5, 40, 20, false, false, false);

    private static final GemmSpec EDGES_TRANS_A = spec(9, 40, 20, true, false, false);

    /** One row (batch-1 inference, {@link VectorGemvF32}): a layer's forward and input gradient. */
    private static final GemmSpec ROW = spec(1, 64, 70, false, false, false);

    private static final GemmSpec ROW_TRANS_B = spec(1, 64, 70, false, true, false);

    private final CpuBackend backend;
    // GEMM operands, each large enough for its role's largest use above.
    private final CpuBuffer a = buffer(8 * 260);
    private final CpuBuffer b = buffer(260 * 64);
    private final CpuBuffer c = buffer(8 * 64 * 2);
    private final CpuBuffer bias = buffer(64);
    private final CpuBuffer mask = buffer(8 * 64);
    private final Epilogue biasRelu = Epilogue.biasActivation(bias, Activation.RELU);
    private final Epilogue biasOnly = Epilogue.biasActivation(bias, Activation.NONE);
    private final Epilogue reluMask = Epilogue.reluMask(mask);
    // Element-wise operands: ROWS x COLUMNS, the columns a few vectors and a scalar tail.
    private final CpuBuffer x = buffer(ROWS * COLUMNS);
    private final CpuBuffer y = buffer(ROWS * COLUMNS);
    private final CpuBuffer out = buffer(ROWS * COLUMNS);
    private final CpuBuffer row = buffer(COLUMNS);
    private final CpuBuffer scalar = buffer(1);
    private final CpuBuffer rowOut = buffer(COLUMNS);
    private final CpuBuffer colOut = buffer(ROWS);
    private final CpuBuffer flags;
    private final CpuBuffer logits = buffer(CLASSIFIED * CLASSES);
    private final CpuBuffer labels;
    private final CpuBuffer loss = buffer(CLASSIFIED);
    private final CpuBuffer upstream = buffer(CLASSIFIED);
    private final double[][] hyper = new double[RULES.length][];
    private final CpuBuffer[][] updateIns = new CpuBuffer[RULES.length][];
    private final CpuBuffer[][] updateOuts = new CpuBuffer[RULES.length][];

    Problems(CpuBackend backend) {
      this.backend = backend;
      flags = new CpuBuffer(backend, DType.BOOL, new boolean[ROWS * COLUMNS], ROWS * COLUMNS);
      int[] l = new int[CLASSIFIED];
      for (int r = 0; r < l.length; r++) l[r] = (r * 7) % CLASSES;
      labels = new CpuBuffer(backend, DType.INT32, l, l.length);
      CpuBuffer[] ins = new CpuBuffer[5];
      for (int i = 0; i < ins.length; i++) ins[i] = buffer(UPDATE_SIZE);
      // Positive second moments: RMSProp and Adam take square roots of them.
      for (int i = 2; i < ins.length; i++) Arrays.fill(ins[i].f32(), 0.5f);
      CpuBuffer[] outs = new CpuBuffer[4];
      for (int i = 0; i < outs.length; i++) outs[i] = buffer(UPDATE_SIZE);
      for (Rule rule : RULES) {
        int i = rule.ordinal();
        hyper[i] = new double[rule.hyperParameters()];
        Arrays.fill(hyper[i], 0.5);
        updateIns[i] = Arrays.copyOf(ins, 2 + rule.slots());
        updateOuts[i] = Arrays.copyOf(outs, 1 + rule.slots());
      }
    }

    private CpuBuffer buffer(int n) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) v[i] = ((i * 37) % 17 - 8) / 16f;
      return new CpuBuffer(backend, DType.FLOAT32, v, n);
    }

    /**
     * The GEMM phase, then the other kernels' phase, each until its rounds allocate (almost)
     * nothing: the GEMM first, so that C2's queue holds the kernels that matter most first.
     */
    void run(WarmupRounds rounds) {
      rounds.phase(this::gemms, GEMM_SETTLED_BYTES);
      rounds.phase(
          r -> {
            elementwise();
            reductions();
            softmaxCrossEntropy();
            updates();
          },
          OTHERS_SETTLED_BYTES);
    }

    /**
     * Every whole-tile product variant, and one round in {@link #EDGE_EVERY} the deep product (the
     * costliest: the JIT needs to have seen its branches taken, not to have counted them often),
     * the classifier's and those with edge tiles.
     */
    void gemms(int round) {
      backend.gemmEpilogue(PACKED, a, b, c, biasRelu);
      backend.gemm(PACKED, a, b, c);
      // A hidden layer's input gradient fused with its ReLU's gradient.
      backend.gemmEpilogue(DIRECT, a, b, c, reluMask);
      backend.gemm(TRANS_B_SHALLOW, a, b, c);
      backend.gemm(TRANS_B, a, b, c);
      backend.gemm(TRANS_A, a, b, c);
      backend.gemm(TRANS_A_ACCUMULATE, a, b, c);
      backend.gemm(SHALLOW_A, a, b, c);
      backend.gemm(BATCHED, a, b, c);
      backend.gemmEpilogue(ROW, a, b, c, biasRelu);
      backend.gemm(ROW_TRANS_B, a, b, c);
      if (round % EDGE_EVERY == 0) {
        backend.gemmEpilogue(DEEP, a, b, c, biasRelu);
        backend.gemmEpilogue(NARROW, a, b, c, biasOnly);
        backend.gemmEpilogue(EDGES, a, b, c, biasRelu);
        backend.gemmEpilogue(EDGES_DIRECT, a, b, c, reluMask);
        backend.gemm(EDGES_TRANS_A, a, b, c);
      }
    }

    /** A dense product of op(A) m x k and op(B) k x n, every operand at offset 0. */
    private static GemmSpec spec(
        int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
      return new GemmSpec(
          1,
          m,
          n,
          k,
          transA,
          0,
          transA ? m : k,
          (long) m * k,
          transB,
          0,
          transB ? k : n,
          (long) k * n,
          0,
          n,
          (long) m * n,
          accumulate);
    }

    /** Element-wise kernels: flat, scalar and broadcast-row operands; compare and select. */
    void elementwise() {
      for (BinaryKind kind : ARITHMETIC) {
        backend.binary(kind, x, DENSE, y, DENSE, out, SHAPE);
        backend.binary(kind, x, DENSE, scalar, SCALAR, out, SHAPE);
        backend.binary(kind, x, DENSE, row, BROADCAST_ROW, out, SHAPE);
      }
      backend.binary(BinaryKind.MAXIMUM, x, DENSE, scalar, SCALAR, out, SHAPE);
      backend.binary(BinaryKind.GREATER, x, DENSE, scalar, SCALAR, flags, SHAPE);
      backend.where(flags, DENSE, y, DENSE, scalar, SCALAR, out, SHAPE);
      for (UnaryKind kind : UNARY) {
        backend.unary(kind, x, out);
      }
    }

    /** Sums and maxima over rows and over columns, and of everything. */
    void reductions() {
      backend.reduce(ReduceKind.SUM, x, SHAPE, FIRST_AXIS, rowOut);
      backend.reduce(ReduceKind.SUM, x, SHAPE, LAST_AXIS, colOut);
      backend.reduce(ReduceKind.MAX, x, SHAPE, LAST_AXIS, colOut);
      backend.reduce(ReduceKind.SUM, x, FLAT_SHAPE, ONE_AXIS, scalar);
    }

    void softmaxCrossEntropy() {
      backend.softmaxCrossEntropyLoss(logits, labels, CLASSIFIED, CLASSES, loss);
      backend.softmaxCrossEntropyGradient(logits, labels, upstream, CLASSIFIED, CLASSES, out);
    }

    /** Every optimizer rule, with harmless hyper-parameters (the results are thrown away). */
    void updates() {
      for (Rule rule : RULES) {
        int i = rule.ordinal();
        backend.fusedUpdate(rule, hyper[i], updateIns[i], updateOuts[i], UPDATE_SIZE);
      }
    }
  }
}
