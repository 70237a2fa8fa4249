package dev.sonnet.samples.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training in a Spark barrier stage in {@code local[2]}: two tasks (threads of this JVM) meet
 * through {@code allGather}, form a TCP ring on loopback and train; a replica that fails makes
 * Spark run the stage again, which resumes from replica 0's latest checkpoint and ends with the
 * weights of a run that never failed. One Spark context serves every test (starting one takes
 * seconds).
 */
@Tag("spark")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalSparkTrainingTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private JavaSparkContext sc;

  @BeforeAll
  void startSpark() {
    SparkSetup.checkDriverJvm();
    sc = new JavaSparkContext(SparkSetup.conf("local[2]", 2, List.of(), 1));
    sc.setLogLevel("ERROR");
  }

  @AfterAll
  void stopSpark() {
    if (sc != null) {
      sc.close();
    }
  }

  private static TrainingSettings settings(Path runDir, int failReplica, int failAtStep) {
    // A small network and batch: the test is about the distribution, not the model.
    return new TrainingSettings(
        6,
        8,
        2,
        7,
        0.1,
        0.9,
        new int[] {8, 16},
        new int[] {1, 2},
        0,
        0,
        SparkReplica.EMBEDDED_DATA,
        runDir.toString(),
        failReplica,
        failAtStep);
  }

  @Test
  void aFailedReplicaCostsOnlyTheStepsSinceTheLastCheckpoint(
      @TempDir Path clean, @TempDir Path failing, @TempDir Path inProcessDir) throws Exception {
    SparkTrainingJob.Result reference =
        SparkTrainingJob.train(sc, 2, settings(clean, -1, 0), -1, 0, QUIET);
    assertThat(reference.reports()).hasSize(2);
    for (SparkReplica.Report r : reference.reports()) {
      assertThat(r.stageAttempt()).isZero();
      assertThat(r.outcome().resumedFrom()).isZero();
      assertThat(r.outcome().lastStep()).isEqualTo(6);
      // The ring listens where Spark reaches the executor: loopback here.
      assertThat(r.ringAddress()).matches("(127\\.0\\.0\\.1|localhost):\\d+");
      assertThat(r.outcome().weightsDigest())
          .isEqualTo(reference.first().outcome().weightsDigest());
    }
    assertThat(reference.reports().get(0).ringAddress())
        .isNotEqualTo(reference.reports().get(1).ringAddress());
    // The same training with the replicas as threads over InProcessCollectives ends with the same
    // bits: with two replicas each element's sum is one addition, whichever rank adds.
    List<Object> inProcess =
        ReplicaTrainingTest.runReplicas(
            settings(inProcessDir, -1, 0), java.util.OptionalLong.empty());
    assertThat(ReplicaTrainingTest.outcome(inProcess.get(0)).weightsDigest())
        .isEqualTo(reference.first().outcome().weightsDigest());

    // Replica 1 throws at step 5 of the first attempt; replica 0 saved step 4.
    SparkTrainingJob.Result retried =
        SparkTrainingJob.train(sc, 2, settings(failing, 1, 5), -1, 0, QUIET);
    for (SparkReplica.Report r : retried.reports()) {
      assertThat(r.stageAttempt()).isEqualTo(1);
      assertThat(r.outcome().resumedFrom()).isEqualTo(4);
      assertThat(r.outcome().lastStep()).isEqualTo(6);
    }
    assertThat(retried.first().outcome().weightsDigest())
        .isEqualTo(reference.first().outcome().weightsDigest());
    assertThat(retried.first().outcome().loss()).isEqualTo(reference.first().outcome().loss());
  }

  @Test
  void killingAnExecutorNeedsExecutorJvms(@TempDir Path dir) {
    SparkTrainingJob.Options o =
        SparkTrainingJob.parse(
            new String[] {
              "--master",
              "local[2]",
              "--run-dir",
              dir.toString(),
              "--kill-replica",
              "1",
              "--kill-after-step",
              "3"
            });
    assertThatThrownBy(() -> SparkTrainingJob.run(o, QUIET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the replicas are threads of this JVM");
  }

  @Test
  void optionsAreCheckedBeforeSparkStarts() {
    assertThatThrownBy(() -> SparkTrainingJob.parse(new String[] {"--stepz", "3"}))
        .hasMessageContaining("Unknown option --stepz");
    assertThatThrownBy(() -> SparkTrainingJob.parse(new String[] {"--steps", "x"}))
        .hasMessageContaining("--steps takes an integer, got \"x\"");
    assertThatThrownBy(() -> SparkTrainingJob.parse(new String[] {"--kill-replica", "1"}))
        .hasMessageContaining("--kill-replica and --kill-after-step go together");
    assertThatThrownBy(
            () -> SparkTrainingJob.parse(new String[] {"--channels", "8,16", "--strides", "1"}))
        .hasMessageContaining("need the same, non-zero length");
    assertThatThrownBy(() -> SparkTrainingJob.parse(new String[] {"--full-net", "yes"}))
        .hasMessageContaining("--full-net takes true or false, got \"yes\"");
    assertThatThrownBy(
            () -> SparkTrainingJob.parse(new String[] {"--full-net", "true", "--channels", "8"}))
        .hasMessageContaining("give one or the other");
    assertThat(SparkTrainingJob.parse(new String[] {"--full-net", "true"}).settings().channels())
        .containsExactly(64, 64, 128, 128, 128, 256, 256, 256, 512, 512, 512);
    SparkTrainingJob.Options defaults = SparkTrainingJob.parse(new String[0]);
    assertThat(defaults.settings().channels()).containsExactly(16, 32, 32);
    assertThat(defaults.settings().strides()).containsExactly(1, 2, 2);
    assertThat(defaults.master()).isEqualTo("local[2]");
    assertThat(SparkTrainingJob.parse(new String[] {"--help"})).isNull();
  }
}
