package dev.sonnet.samples.spark;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.CheckpointManager;
import dev.sonnet.checkpoint.RestoreStatus;
import dev.sonnet.distribute.Collectives;
import dev.sonnet.distribute.ReduceOp;
import dev.sonnet.losses.Losses;
import dev.sonnet.module.Seeds;
import dev.sonnet.nets.Cifar10ConvNet;
import dev.sonnet.optimizers.Momentum;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One replica's training loop, the body of Sonnet's distributed CIFAR-10 notebook: each step runs
 * the model on this replica's batch, takes the gradients of its mean loss, all-reduces them with
 * {@link ReduceOp#MEAN} (so every replica applies the gradient of the global batch) and applies
 * them with momentum SGD; the loss reported is the {@link ReduceOp#SUM} of each replica's loss
 * divided by the number of replicas, the global batch's mean.
 *
 * <p><b>Checkpoints.</b> Replica 0 saves the model and the optimizer (its momentum slots) through a
 * {@link CheckpointManager} every {@code saveEvery} steps and after the last. A run that starts
 * with a resume step restores that checkpoint on every replica before the model's first call
 * (restore on create) and continues with the next step; since the batches are a function of the
 * step ({@link ShardedBatches}) and the all-reduce adds in a fixed order, it ends with exactly the
 * weights of a run that never stopped.
 *
 * <p><b>Replicas start equal.</b> Initial values come from each variable's path, the same on every
 * replica; a fresh run also broadcasts replica 0's values once, so replicas built from different
 * code paths cannot drift apart unnoticed. Batch-norm statistics are each replica's own, as in
 * Sonnet (replica 0's are the ones saved).
 *
 * <p>Nothing here knows about Spark: the collectives and the resume step come from the caller, so
 * the same loop runs with in-process replicas in a test.
 */
public final class ReplicaTraining {
  /** Checkpoints kept: enough to step back past one bad save. */
  public static final int KEEP = 3;

  /** Test images per forward pass when evaluating: Sonnet's full network holds ~4 MB per image. */
  private static final int EVAL_BATCH = 100;

  private ReplicaTraining() {}

  /**
   * What one replica did.
   *
   * @param rank the replica
   * @param resumedFrom the checkpoint step it started after (0: from scratch)
   * @param lastStep the last global step it trained
   * @param loss the global batch's mean loss at the last step (NaN if it trained none)
   * @param weightsDigest SHA-256 of its trainable variables' names and values, in order
   * @param testAccuracy replica 0's accuracy on the first {@code evalLimit} test images (NaN if
   *     none or another replica)
   * @param seconds wall time of its training steps
   */
  public record Outcome(
      int rank,
      long resumedFrom,
      long lastStep,
      double loss,
      String weightsDigest,
      double testAccuracy,
      double seconds)
      implements java.io.Serializable {}

  /** Throws on purpose at a given step: how tests make a replica fail mid-training. */
  @FunctionalInterface
  public interface FailureHook {
    /** Called before each step; throws to make this replica fail. */
    void beforeStep(int rank, long step);

    /** Never fails. */
    FailureHook NONE = (rank, step) -> {};
  }

  /** The checkpoint directory of a run. */
  public static Path checkpointDir(TrainingSettings s) {
    return Path.of(s.runDir(), "checkpoints");
  }

  /**
   * Trains this replica from {@code resumeStep} (or from scratch) to {@code s.steps()}.
   *
   * @param group the replicas' collectives; its rank is this replica's
   * @param resumeStep the checkpoint step all replicas agreed to restore, or empty
   */
  public static Outcome run(
      TrainingSettings s,
      Collectives group,
      OptionalLong resumeStep,
      LabeledImages train,
      LabeledImages test,
      FailureHook failure,
      PrintStream log) {
    int rank = group.rank();
    int replicas = group.worldSize();
    ShardedBatches batches =
        new ShardedBatches(train, s.trainLimit(), replicas, s.batchPerReplica(), s.seed());
    // Every attempt starts from the same initial weights, whatever this JVM (or a pooled executor
    // thread) built before: a fresh run broadcasts replica 0's, which must not depend on history.
    Seeds.setGlobalSeed(Seeds.globalSeed());
    Cifar10ConvNet model = s.newModel();
    Momentum optimizer = new Momentum(s.learningRate(), s.momentum());
    Checkpoint checkpoint = Checkpoint.of(model, optimizer);
    CheckpointManager manager = new CheckpointManager(checkpointDir(s), checkpoint, KEEP);

    long start = 0;
    Optional<RestoreStatus> restored = Optional.empty();
    if (resumeStep.isPresent()) {
      start = resumeStep.getAsLong();
      restored = Optional.of(checkpoint.restore(manager.pathFor(start)));
      log.printf(Locale.ROOT, "replica %d: resuming after step %d%n", rank, start);
    }
    // Build the model (restored values, if any, are taken as its variables are created) with a
    // forward pass that changes no state: not training, so batch norm updates no statistics.
    try (TensorScope build = TensorScope.open()) {
      model.call(batches.batch(Math.max(1, start), rank).images(), false);
    }
    List<Variable> params = model.trainableVariables();
    if (restored.isEmpty()) {
      List<Variable> all = model.variables().stream().filter(v -> v.dtype().isFloating()).toList();
      List<Tensor> first = group.broadcast(0, all.stream().map(Variable::peek).toList());
      for (int i = 0; i < all.size(); i++) {
        all.get(i).assign(first.get(i));
      }
    }

    double loss = Double.NaN;
    long step = start;
    long t0 = System.nanoTime();
    while (step < s.steps()) {
      step++;
      failure.beforeStep(rank, step);
      try (TensorScope scope = TensorScope.open()) {
        ShardedBatches.Batch b = batches.batch(step, rank);
        Tensor replicaLoss;
        List<Tensor> grads;
        try (GradientTape tape = GradientTape.open()) {
          Tensor logits = model.call(b.images(), true).logits();
          replicaLoss = Losses.softmaxCrossEntropy(logits, b.labels());
          grads = tape.gradient(replicaLoss, params);
        }
        optimizer.apply(group.allReduce(ReduceOp.MEAN, grads), params);
        loss = group.allReduce(ReduceOp.SUM, replicaLoss.div(replicas)).item();
      }
      if (step == start + 1) {
        restored.ifPresent(RestoreStatus::assertConsumed); // model and momentum slots all found
      }
      if (rank == 0 && (step % s.saveEvery() == 0 || step == s.steps())) {
        manager.save(step);
        log.printf(Locale.ROOT, "replica 0: step %d loss %.5f, checkpoint saved%n", step, loss);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double accuracy =
        rank == 0 && s.evalLimit() > 0 ? evaluate(model, test, s.evalLimit()) : Double.NaN;
    return new Outcome(rank, start, step, loss, digest(params), accuracy, seconds);
  }

  /**
   * The fraction of the first {@code limit} test images classified correctly, with batch statistics
   * as Sonnet's {@code Cifar10ConvNet} does by default when not training.
   */
  static double evaluate(Cifar10ConvNet model, LabeledImages test, int limit) {
    int n = Math.min(limit, test.count());
    long correct = 0;
    for (int from = 0; from < n; from += EVAL_BATCH) {
      int[] idx = new int[Math.min(EVAL_BATCH, n - from)];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = from + i;
      }
      try (TensorScope scope = TensorScope.open()) {
        ShardedBatches.Batch b = ShardedBatches.gather(test, idx);
        correct += Losses.correctCount(model.call(b.images(), false).logits(), b.labels());
      }
    }
    return (double) correct / n;
  }

  /** SHA-256 over each variable's name and float bits (little-endian), in order. */
  public static String digest(List<Variable> variables) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Variable v : variables) {
        md.update(v.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        float[] values = v.peek().toFloatArray();
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        md.update(buf);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK has SHA-256", e);
    }
  }
}
