package dev.sonnet.samples.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("spark")
class SparkReplicaTest {
  @Test
  void theRingListensOnTheHostSparkReachesTheExecutorAt() {
    assertThat(SparkReplica.hostOf("127.0.0.1:40123")).isEqualTo("127.0.0.1");
    assertThat(SparkReplica.hostOf("worker-7.example:7078")).isEqualTo("worker-7.example");
    assertThat(SparkReplica.hostOf("[::1]:40123")).isEqualTo("::1");
    assertThat(SparkReplica.hostOf("localhost")).isEqualTo("localhost");
  }

  @Test
  void anEmptyRunDirectoryHasNoCheckpointToResumeFrom(@TempDir Path dir) {
    TrainingSettings s =
        new TrainingSettings(
            4,
            8,
            2,
            1,
            0.1,
            0.9,
            new int[] {8},
            new int[] {1},
            0,
            0,
            SparkReplica.EMBEDDED_DATA,
            dir.toString(),
            -1,
            0);
    assertThat(SparkReplica.latestCheckpoint(s)).isEqualTo(OptionalLong.empty());
    assertThat(SparkReplica.progressFile(s, 1)).isEqualTo(dir.resolve("replicas/rank-1.progress"));
    assertThat(SparkReplica.loadData(s, System.out).isSubset()).isTrue();
  }
}
