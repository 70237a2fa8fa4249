package dev.sonnet.samples.mnist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job on a small subset: its output format, that it learns, and its options. */
class FashionMnistJobTest {
  private static final AtomicInteger RUNS = new AtomicInteger();

  private record Run(FashionMnistJob.Result result, List<String> lines) {}

  @TempDir static Path outDir;

  private static Run run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--out")) {
      all.add("--out");
      all.add(outDir.resolve("run" + RUNS.incrementAndGet()).toString());
    }
    FashionMnistJob.Result result =
        new FashionMnistJob(Options.parse(all.toArray(String[]::new)), out, false).run();
    return new Run(result, bytes.toString(StandardCharsets.UTF_8).lines().toList());
  }

  @Test
  void mlp_onTwoThousandImages_printsTheSummaryAndBeatsChanceClearly() {
    Run run = run("--limit", "2000", "--epochs", "1");
    String last = run.lines().get(run.lines().size() - 1);
    assertThat(last).matches("test_accuracy=0\\.\\d{4}");
    double accuracy = Double.parseDouble(last.substring("test_accuracy=".length()));
    // Ten balanced classes: chance is 0.1. Twenty SGD steps already reach about 0.7.
    assertThat(accuracy)
        .isGreaterThan(0.4)
        .isEqualTo(Math.round(run.result().testAccuracy() * 10000) / 10000.0);
    assertThat(run.lines())
        .anyMatch(l -> l.startsWith("| epoch | seconds | examples/s"))
        .anyMatch(l -> l.startsWith("epochs         1"))
        .anyMatch(l -> l.startsWith("epoch 1/1 100% [===") && l.contains("2000/2000 img"))
        .anyMatch(l -> l.matches("epoch 1/1 mean loss \\d\\.\\d{4}, test accuracy 0\\.\\d{4}"))
        .anyMatch(
            l ->
                l.matches(
                    "epoch 1/1 memory heap \\d+ MB \\(live \\d+ MB, peak \\d+ MB\\),"
                        + " RSS (\\d+ MB|n/a) \\(peak (\\d+ MB|n/a)\\)"))
        .anyMatch(l -> l.startsWith("peak heap      "))
        .anyMatch(l -> l.startsWith("peak RSS       "))
        .noneMatch(l -> l.contains("\r"));
  }

  @Test
  void writesAChartAndTensorBoardEvents_andPrintsWhere(@TempDir Path dir) throws IOException {
    Run run = run("--limit", "500", "--epochs", "2", "--out", dir.toString());
    Path chart = dir.resolve("training.png").toAbsolutePath();
    assertThat(run.lines()).contains("chart          " + chart);
    BufferedImage png = ImageIO.read(chart.toFile());
    assertThat(png.getWidth()).isEqualTo(TrainingChart.WIDTH);
    assertThat(png.getHeight()).isEqualTo(TrainingChart.HEIGHT);
    Path events;
    try (var files = Files.walk(dir.resolve("tensorboard"))) {
      events =
          files
              .filter(f -> f.getFileName().toString().startsWith("events.out.tfevents."))
              .findFirst()
              .orElseThrow();
    }
    assertThat(events.getParent().getFileName().toString()).matches("mlp-seed42-\\d{8}-\\d{6}");
    // Tags in the file (protobuf strings are stored as plain UTF-8); SummaryWriterTest parses
    // the format itself with TensorFlow's classes.
    String raw = new String(Files.readAllBytes(events), StandardCharsets.ISO_8859_1);
    assertThat(raw)
        .contains("brain.Event:2")
        .contains("test/accuracy")
        .contains("train/loss")
        .contains("weights/")
        .contains("linear")
        .contains("inputs/test_0")
        .contains("PNG");
  }

  @Test
  void sameSeed_givesTheSameRun_anotherSeedAnotherOne() {
    Run a = run("--limit", "300", "--epochs", "1", "--seed", "7");
    Run b = run("--limit", "300", "--epochs", "1", "--seed", "7");
    Run c = run("--limit", "300", "--epochs", "1", "--seed", "8");
    assertThat(b.result().finalLoss()).isEqualTo(a.result().finalLoss());
    assertThat(b.result().testAccuracy()).isEqualTo(a.result().testAccuracy());
    assertThat(c.result().finalLoss()).isNotEqualTo(a.result().finalLoss());
  }

  @Test
  void convnet_onASmallSubset_runsAndLearns() {
    Run run = run("--model", "convnet", "--limit", "1000", "--epochs", "1");
    assertThat(run.result().testAccuracy()).isGreaterThan(0.3);
  }

  @Test
  void options_parseEveryFlagAndDefaultPerModel() {
    Options o =
        Options.parse(
            "--model",
            "convnet",
            "--epochs=4",
            "--seed",
            "3",
            "--limit",
            "10",
            "--batch-size",
            "50",
            "--learning-rate",
            "0.2",
            "--data",
            "/tmp/x");
    assertThat(o.model()).isEqualTo(Options.Model.CONVNET);
    assertThat(o.epochsOrDefault()).isEqualTo(4);
    assertThat(o.seed()).isEqualTo(3);
    assertThat(o.limit()).isEqualTo(10);
    assertThat(o.batchSizeOrDefault()).isEqualTo(50);
    assertThat(o.learningRateOrDefault()).isEqualTo(0.2);
    assertThat(o.dataDir()).hasToString("/tmp/x");
    assertThat(o.download()).isFalse();
    assertThat(Options.parse("--download").download()).isTrue();
    assertThat(Options.parse().outDirOrDefault()).hasToString(Options.DEFAULT_OUT);
    assertThat(Options.parse("--out", "/tmp/o").outDirOrDefault()).hasToString("/tmp/o");
    assertThat(Options.parse("--download", "--epochs", "2").epochsOrDefault()).isEqualTo(2);
    Options d = Options.parse();
    assertThat(d.model()).isEqualTo(Options.Model.MLP);
    assertThat(d.batchSizeOrDefault()).isEqualTo(100);
    assertThat(d.learningRateOrDefault()).isEqualTo(0.1);
  }

  @Test
  void badOptions_failNamingTheArgumentAndShowingUsage() {
    assertThatThrownBy(() -> Options.parse("--model", "resnet"))
        .hasMessageContaining("--model must be mlp or convnet, got \"resnet\"")
        .hasMessageContaining("Usage:");
    assertThatThrownBy(() -> Options.parse("--epochs", "0"))
        .hasMessageContaining("--epochs must be a positive integer, got 0");
    assertThatThrownBy(() -> Options.parse("--epochs")).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> Options.parse("--frobnicate", "1"))
        .hasMessageContaining("unknown option \"--frobnicate\"");
  }
}
