package dev.sonnet.samples.bench;

import dev.sonnet.ops.Fusion;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Whole training steps (forward, loss, tape gradients, SGD update) of the models in {@link
 * TrainSteps}: the main job's MLP 784-1024-1024-10 at batch 100, a small MLP 784-128-10 at batch
 * 64, and the small ConvNet at batch 64. An epoch of the main job is 600 such steps.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrainBench {
  @Param({"mlp_main", "mlp_small", "convnet"})
  public String model;

  /**
   * Whether the library may fuse ({@code dev.sonnet.ops.Fusion}): {@code false} measures the same
   * step with the unfused ops ({@code -Dsonnet.fusion=false}) in the same run, as a baseline.
   */
  @Param({"true", "false"})
  public boolean fusion;

  /**
   * Whether the tape also tracks the input batch, so the first layer computes the input gradient
   * nobody uses: {@code true} measures the steps as they ran before the tape told ops which
   * gradients it wants ({@code -p inputGradient=true,false} for an A/B in one run).
   */
  @Param({"false"})
  public boolean inputGradient;

  private TrainSteps steps;

  @Setup(Level.Trial)
  public void setUp() {
    Fusion.setEnabled(fusion);
    steps =
        switch (model) {
          case "mlp_main" -> TrainSteps.mlp(100, 784, 1024, 1024, 10);
          case "mlp_small" -> TrainSteps.mlp(64, 784, 128, 10);
          case "convnet" -> TrainSteps.convNet(64);
          default -> throw new IllegalArgumentException("unknown model " + model);
        };
    steps.watchingInput(inputGradient);
  }

  @Benchmark
  public float step() {
    return steps.step();
  }
}
