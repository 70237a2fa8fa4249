package dev.sonnet.samples.distribute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.distribute.PerReplica;
import dev.sonnet.distribute.ReduceOp;
import dev.sonnet.distribute.Replicator;
import dev.sonnet.losses.Losses;
import dev.sonnet.nets.Cifar10ConvNet;
import dev.sonnet.optimizers.Momentum;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
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

  /** README's "Distributed training" snippet, verbatim between the markers. */
  @Test
  void readmeSnippet_runs() {
    Tensor globalImages =
        Tensor.randomUniform(new Rng(1), DType.FLOAT32, Shape.of(8, 28, 28, 1), -1, 1);
    Tensor globalLabels = Tensor.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
    // README begin
    Replicator replicator = Replicator.cpu(2);
    Cifar10ConvNet model = Cifar10ConvNet.builder().outputChannels(16, 32).strides(1, 2).build();
    Momentum optimizer = new Momentum(0.05, 0.9);
    PerReplica<Tensor> images = replicator.split(globalImages); // [2B, 28, 28, 1] -> 2 x [B, ...]
    PerReplica<Tensor> labels = replicator.split(globalLabels);
    PerReplica<Tensor> losses =
        replicator.run(
            (ctx, r) -> {
              try (GradientTape tape = GradientTape.open()) {
                Tensor loss =
                    Losses.softmaxCrossEntropy(
                        model.call(images.get(r), true).logits(), labels.get(r));
                List<Tensor> grads = tape.gradient(loss, model.trainableVariables());
                grads = ctx.allReduce(ReduceOp.MEAN, grads); // the 2 lines
                optimizer.apply(grads, model.trainableVariables());
                return loss;
              }
            },
            PerReplica.of(0, 1));
    double loss = replicator.reduce(ReduceOp.SUM, losses).item();
    // README end
    replicator.close();
    assertThat(loss).isBetween(3.0, 7.0); // two replicas' mean cross-entropies, about 2 ln 10
  }

  @Test
  void badOptions_areClearErrors() {
    assertThatThrownBy(() -> DistributedFashionMnist.Options.parse("--replicas", "0"))
        .hasMessageContaining("--replicas must be at least 1");
    assertThatThrownBy(() -> DistributedFashionMnist.Options.parse("--wat", "1"))
        .hasMessageContaining("Unknown option --wat");
  }
}
