package dev.sonnet.samples.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The steady step of the main job's MLP ({@link TrainSteps#mlp} 784-1024-1024-10, batch 100) with
 * and without the CPU backend's kernel warm-up, each in its own fork of one JMH run: the warm-up
 * trains the JIT's profiles on small problems before the real ones, and this checks that the code
 * compiled from those profiles is as fast as the code compiled from the real steps alone (the
 * warm-up's first steps are {@link WarmupProbe}'s business).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WarmupBench {
  private TrainSteps steps;

  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    steps = TrainSteps.mlp(100, 784, 1024, 1024, 10);
    // As the main job: the model is built while the warm-up runs, then training starts.
    Thread.sleep(3000);
  }

  @Benchmark
  @Fork(jvmArgsAppend = "-Dsonnet.cpu.warmup=true")
  public float stepWarmupOn() {
    return steps.step();
  }

  @Benchmark
  @Fork(jvmArgsAppend = "-Dsonnet.cpu.warmup=false")
  public float stepWarmupOff() {
    return steps.step();
  }
}
