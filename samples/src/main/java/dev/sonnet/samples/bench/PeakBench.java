package dev.sonnet.samples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The machine's float32 FMA peak, as the Vector API reaches it: each of {@code sonnet.cpu.threads}
 * threads (the benchmark threads of {@code run.sh}, default: the available processors) runs a loop
 * of {@code FloatVector.fma} on {@value #ACCUMULATORS} independent accumulators of the preferred
 * species, enough for the FMA units' latency times their count on any current x86 or ARM core, so
 * the loop is bound by FMA throughput alone.
 *
 * <p>Every invocation does the same {@value #FLOPS} floating-point operations in all (an FMA is 2
 * per lane), split evenly over the threads whatever the vector width, so {@code table.py} derives
 * GFLOP/s as {@code FLOPS / time} without knowing the lanes; at a few hundred GFLOP/s one
 * invocation takes milliseconds and the threads' start and join are noise. The memory-bandwidth
 * probe is {@link ElementwiseBench#largeTriad}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PeakBench {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  /** Independent accumulators per thread. */
  static final int ACCUMULATORS = 12;

  /** Floating-point operations per invocation, all threads together (table.py has the same). */
  static final long FLOPS = 2L * ACCUMULATORS * 16 * 2 * (1 << 20);

  private ExecutorService pool;
  private int threads;
  private long iterations;

  @Setup(Level.Trial)
  public void setUp() {
    threads = Integer.getInteger("sonnet.cpu.threads", Runtime.getRuntime().availableProcessors());
    iterations = FLOPS / (2L * ACCUMULATORS * SPECIES.length() * threads);
    pool = Executors.newFixedThreadPool(threads);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.shutdownNow();
  }

  @Benchmark
  public float fmaPeak() throws InterruptedException, ExecutionException {
    List<Future<Float>> parts = new ArrayList<>(threads);
    for (int t = 0; t < threads; t++) {
      float seed = 0.25f + t;
      parts.add(pool.submit(() -> fmaLoop(iterations, seed)));
    }
    float sum = 0;
    for (Future<Float> part : parts) {
      sum += part.get();
    }
    return sum;
  }

  /**
   * {@code acc = acc * m + a} on twelve accumulators: each converges towards {@code a / (1 - m)},
   * so no value overflows or turns subnormal. The sum is returned so the JIT cannot drop the loop.
   */
  static float fmaLoop(long iterations, float seed) {
    FloatVector m = FloatVector.broadcast(SPECIES, 0.999f);
    FloatVector a = FloatVector.broadcast(SPECIES, 1e-3f);
    FloatVector c0 = FloatVector.broadcast(SPECIES, seed);
    FloatVector c1 = FloatVector.broadcast(SPECIES, seed + 0.01f);
    FloatVector c2 = FloatVector.broadcast(SPECIES, seed + 0.02f);
    FloatVector c3 = FloatVector.broadcast(SPECIES, seed + 0.03f);
    FloatVector c4 = FloatVector.broadcast(SPECIES, seed + 0.04f);
    FloatVector c5 = FloatVector.broadcast(SPECIES, seed + 0.05f);
    FloatVector c6 = FloatVector.broadcast(SPECIES, seed + 0.06f);
    FloatVector c7 = FloatVector.broadcast(SPECIES, seed + 0.07f);
    FloatVector c8 = FloatVector.broadcast(SPECIES, seed + 0.08f);
    FloatVector c9 = FloatVector.broadcast(SPECIES, seed + 0.09f);
    FloatVector c10 = FloatVector.broadcast(SPECIES, seed + 0.10f);
    FloatVector c11 = FloatVector.broadcast(SPECIES, seed + 0.11f);
    for (long i = 0; i < iterations; i++) {
      c0 = c0.fma(m, a);
      c1 = c1.fma(m, a);
      c2 = c2.fma(m, a);
      c3 = c3.fma(m, a);
      c4 = c4.fma(m, a);
      c5 = c5.fma(m, a);
      c6 = c6.fma(m, a);
      c7 = c7.fma(m, a);
      c8 = c8.fma(m, a);
      c9 = c9.fma(m, a);
      c10 = c10.fma(m, a);
      c11 = c11.fma(m, a);
    }
    FloatVector s =
        c0.add(c1)
            .add(c2)
            .add(c3)
            .add(c4)
            .add(c5)
            .add(c6)
            .add(c7)
            .add(c8)
            .add(c9)
            .add(c10)
            .add(c11);
    return s.reduceLanes(VectorOperators.ADD);
  }
}
