package dev.sonnet.samples.distribute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.tensor.Variable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The distributed example, short: its output, that it learns, and that replicas stay equal. */
class DistributedFashionMnistTest {
  @Test
  void twoReplicas_learnAndStayIdentical() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    DistributedFashionMnist.Result result =
        DistributedFashionMnist.run(
            DistributedFashionMnist.Options.parse(
                "--replicas", "2", "--steps", "12", "--batch", "16", "--eval", "200"),
            out);
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(lines.size() - 1)).matches("test_accuracy=0\\.\\d{4}");
    assertThat(lines).anyMatch(l -> l.startsWith("2 replicas, "));
    // The loss is the SUM of two replicas' mean cross-entropies: about 2 ln 10 = 4.6 at the start.
    assertThat(result.firstLoss()).isBetween(3.0, 7.0);
    assertThat(result.lastLoss()).isLessThan(result.firstLoss());
    // Ten balanced classes: chance is 0.1; twelve momentum steps on 384 images get well above.
    assertThat(result.testAccuracy()).isGreaterThan(0.3);
    for (Variable v : result.model().variables()) {
      if (v.trainable()) {
        assertThat(v.peekReplica(1).toFloatArray())
            .as("replicas of %s", v.name())
            .isEqualTo(v.peekReplica(0).toFloatArray());
      }
    }
  }

  @Test
  void badOptions_areClearErrors() {
    assertThatThrownBy(() -> DistributedFashionMnist.Options.parse("--replicas", "0"))
        .hasMessageContaining("--replicas must be at least 1");
    assertThatThrownBy(() -> DistributedFashionMnist.Options.parse("--wat", "1"))
        .hasMessageContaining("Unknown option --wat");
  }
}
