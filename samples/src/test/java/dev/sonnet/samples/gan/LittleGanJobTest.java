package dev.sonnet.samples.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LittleGanJobTest {
  @TempDir Path dir;

  @Test
  void hingeLosses_matchTheirDefinitions() {
    Tensor real = Tensor.of(new float[] {2f, 0.5f, -1f}, 3);
    Tensor fake = Tensor.of(new float[] {-2f, 0f, 1f}, 3);
    // mean(relu(1 - [2, 0.5, -1])) = (0 + 0.5 + 2) / 3; mean(relu(1 + [-2, 0, 1])) = (0 + 1 + 2) /
    // 3
    assertThat(GanTraining.hingeLossDisc(real, fake).item())
        .isCloseTo(2.5 / 3 + 3.0 / 3, org.assertj.core.api.Assertions.within(1e-6));
    assertThat(GanTraining.lossGen(fake).item())
        .isCloseTo(1.0 / 3, org.assertj.core.api.Assertions.within(1e-6));
  }

  @Test
  void aShortRun_trainsBothHalves_andWritesTheSampleGrid() throws Exception {
    var out = new ByteArrayOutputStream();
    Path png = dir.resolve("gan.png");
    var options =
        LittleGanJob.Options.parse(
            new String[] {"--steps", "4", "--embed-dim", "32", "--out", png.toString()});

    LittleGanJob.Result result =
        LittleGanJob.run(options, new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(result.discLoss()).isFinite();
    assertThat(result.genLoss()).isFinite();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("step     4/4", "samples: ");
    BufferedImage image = ImageIO.read(png.toFile());
    // 10 columns and 5 rows of 56-pixel tiles with a 1-pixel border.
    assertThat(image.getWidth()).isEqualTo(10 * 57 + 1);
    assertThat(image.getHeight()).isEqualTo(5 * 57 + 1);
  }

  @Test
  void unknownOptions_areRefusedNamingThem() {
    assertThatThrownBy(() -> LittleGanJob.Options.parse(new String[] {"--epochs", "3"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--epochs");
  }
}
