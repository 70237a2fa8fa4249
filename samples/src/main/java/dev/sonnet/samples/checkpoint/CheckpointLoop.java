package dev.sonnet.samples.checkpoint;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.CheckpointManager;
import dev.sonnet.checkpoint.RestoreStatus;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.samples.modules.MyMLP;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The Sonnet README's checkpoint loop in Java: train, save every {@code saveEvery} steps into a
 * {@link CheckpointManager} directory, and, when restarted, resume from the latest checkpoint.
 *
 * <p>Everything that decides what happens next is in the checkpoint: the model's weights, Adam's
 * slots and step counter, and the generator that draws the training batches, so a run that is
 * killed and restarted ends with exactly the weights of a run that never stopped.
 *
 * <p>The model is restored before its first call (restore-on-create): its variables do not exist
 * yet, and each takes its saved value when it is created.
 *
 * <pre>
 * java ... dev.sonnet.samples.checkpoint.CheckpointLoop /tmp/checkpoints 300
 * </pre>
 */
public final class CheckpointLoop {
  /** Save every this many steps; the seed uses 1000 for long runs. */
  public static final int DEFAULT_SAVE_EVERY = 50;

  /** Steps of a run, unless the second argument says otherwise. */
  public static final int DEFAULT_STEPS = 300;

  /** Checkpoints kept: enough to step back past one bad save. */
  public static final int KEEP = 3;

  private static final int BATCH = 32;

  private final Path root;
  private final int saveEvery;
  private final PrintStream log;

  /** A loop that keeps its checkpoints in {@code root}. */
  public CheckpointLoop(Path root, int saveEvery, PrintStream log) {
    this.root = root;
    this.saveEvery = saveEvery;
    this.log = log;
  }

  /** What a run ended with. */
  public record Result(long firstStep, long lastStep, double loss, List<float[]> weights) {}

  /**
   * Trains until step {@code numSteps}, resuming from the latest checkpoint in the directory if
   * there is one. {@code stopAfter} simulates the process being killed: the loop returns after that
   * many steps of this run without its final save.
   */
  public Result run(int numSteps, int stopAfter) {
    MyMLP model = new MyMLP(16, 1);
    Adam optimizer = new Adam(0.01);
    Rng dataRng = new Rng(42);
    Checkpoint checkpoint = Checkpoint.of(model, optimizer).add("data_rng", dataRng);
    CheckpointManager manager = new CheckpointManager(root, checkpoint, KEEP);

    Optional<RestoreStatus> restored = manager.restoreLatest();
    long start = manager.latest().map(CheckpointManager.Entry::step).orElse(0L);
    log.println(
        restored.isPresent()
            ? "resuming from " + manager.latest().orElseThrow().path() + " at step " + start
            : "no checkpoint in " + root + ", starting from scratch");

    double loss = Double.NaN;
    long step = start;
    for (int done = 0; step < numSteps && done < stopAfter; done++) {
      step++;
      loss = trainStep(model, optimizer, dataRng);
      if (step == start + 1) {
        restored.ifPresent(RestoreStatus::assertConsumed); // every saved value found its variable
      }
      if (step % saveEvery == 0) {
        manager.save(step);
        log.printf("step %d loss %.5f saved %s%n", step, loss, manager.pathFor(step).getFileName());
      }
    }
    if (step == numSteps && step > start && step % saveEvery != 0) {
      manager.save(step); // make sure to save the final values
    }
    List<float[]> weights =
        !model.isBuilt()
            ? List.of() // restored, never called: no variables
            : model.variables().stream().map(v -> v.peek().toFloatArray()).toList();
    return new Result(start, step, loss, weights);
  }

  /** One Adam step on a batch of {@code y = sin(3x)}, x uniform in [-1, 1]. */
  static double trainStep(MyMLP model, Adam optimizer, Rng dataRng) {
    float[] xs = new float[BATCH];
    float[] ys = new float[BATCH];
    for (int i = 0; i < BATCH; i++) {
      xs[i] = (float) (2 * dataRng.nextDouble() - 1);
      ys[i] = (float) Math.sin(3 * xs[i]);
    }
    Tensor x = Tensor.of(xs, BATCH, 1);
    Tensor y = Tensor.of(ys, BATCH, 1);
    try (GradientTape tape = GradientTape.open()) {
      Tensor loss = model.call(x).sub(y).square().mean();
      List<Variable> params = model.trainableVariables();
      optimizer.apply(tape.gradient(loss, params), params);
      return loss.item();
    }
  }

  /** Arguments: the checkpoint directory (default /tmp/checkpoints) and the number of steps. */
  public static void main(String[] args) {
    Path root = Path.of(args.length > 0 ? args[0] : "/tmp/checkpoints");
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_STEPS;
    Result r =
        new CheckpointLoop(root, DEFAULT_SAVE_EVERY, System.out).run(steps, Integer.MAX_VALUE);
    System.out.printf(
        "steps %d to %d, final_loss=%.5f%n", r.firstStep() + 1, r.lastStep(), r.loss());
  }
}
