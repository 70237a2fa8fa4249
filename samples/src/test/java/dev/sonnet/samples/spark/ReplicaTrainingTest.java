package dev.sonnet.samples.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.CheckpointManager;
import dev.sonnet.data.FashionMnist;
import dev.sonnet.distribute.Collectives;
import dev.sonnet.distribute.InProcessCollectives;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-replica loop without Spark: two replicas as threads over {@link InProcessCollectives}. A
 * run interrupted by a failing replica and resumed from replica 0's latest checkpoint ends with
 * exactly the weights of an uninterrupted run.
 */
@Tag("spark")
class ReplicaTrainingTest {
  static final FashionMnist DATA = FashionMnist.embeddedSubset();
  static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  static TrainingSettings settings(Path runDir, int steps, int failReplica, int failAtStep) {
    return new TrainingSettings(
        steps,
        8,
        2,
        7,
        0.1,
        0.9,
        new int[] {8, 16},
        new int[] {1, 2},
        0,
        64,
        null,
        runDir.toString(),
        failReplica,
        failAtStep);
  }

  /** Runs both replicas to the end (or until one fails); returns their outcomes or errors. */
  static List<Object> runReplicas(TrainingSettings s, OptionalLong resume) throws Exception {
    List<Collectives> group = InProcessCollectives.group(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<ReplicaTraining.Outcome>> futures = new ArrayList<>();
      for (Collectives c : group) {
        futures.add(
            pool.submit(
                () -> {
                  try (c) {
                    return ReplicaTraining.run(
                        s,
                        c,
                        resume,
                        LabeledImages.of(DATA.train()),
                        LabeledImages.of(DATA.test()),
                        failAt(s),
                        QUIET);
                  }
                }));
      }
      List<Object> out = new ArrayList<>();
      for (Future<ReplicaTraining.Outcome> f : futures) {
        try {
          out.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          out.add(e.getCause());
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static ReplicaTraining.Outcome outcome(Object o) {
    if (o instanceof Throwable t) {
      throw new AssertionError("replica failed: " + t, t);
    }
    return (ReplicaTraining.Outcome) o;
  }

  static ReplicaTraining.FailureHook failAt(TrainingSettings s) {
    return (rank, step) -> {
      if (rank == s.failReplica() && step == s.failAtStep()) {
        throw new IllegalStateException("injected failure of replica " + rank + " at step " + step);
      }
    };
  }

  @Test
  void resumingFromTheLatestCheckpointEndsWithTheWeightsOfAnUninterruptedRun(
      @TempDir Path clean, @TempDir Path interrupted) throws Exception {
    List<Object> reference = runReplicas(settings(clean, 6, -1, 0), OptionalLong.empty());
    ReplicaTraining.Outcome r0 = outcome(reference.get(0));
    ReplicaTraining.Outcome r1 = outcome(reference.get(1));
    assertThat(r0.lastStep()).isEqualTo(6);
    assertThat(r1.weightsDigest()).isEqualTo(r0.weightsDigest()); // replicas stay identical
    assertThat(r0.loss()).isEqualTo(r1.loss()).isFinite(); // the SUM-reduced loss, on both
    assertThat(r0.testAccuracy()).isBetween(0.0, 1.0);
    assertThat(r1.testAccuracy()).isNaN();

    // Replica 1 fails at step 5: step 4 was saved; the other replica gets an error, not a hang.
    TrainingSettings failing = settings(interrupted, 6, 1, 5);
    List<Object> broken = runReplicas(failing, OptionalLong.empty());
    assertThat(broken.get(1)).isInstanceOf(IllegalStateException.class);
    assertThat(broken.get(0)).isInstanceOf(dev.sonnet.distribute.CollectiveException.class);
    CheckpointManager manager =
        new CheckpointManager(ReplicaTraining.checkpointDir(failing), Checkpoint.of());
    assertThat(manager.latest().orElseThrow().step()).isEqualTo(4);

    List<Object> resumed = runReplicas(settings(interrupted, 6, -1, 0), OptionalLong.of(4));
    ReplicaTraining.Outcome s0 = outcome(resumed.get(0));
    assertThat(s0.resumedFrom()).isEqualTo(4);
    assertThat(s0.weightsDigest()).isEqualTo(r0.weightsDigest());
    assertThat((outcome(resumed.get(1))).weightsDigest()).isEqualTo(r0.weightsDigest());
    assertThat(s0.loss()).isEqualTo(r0.loss());
  }
}
