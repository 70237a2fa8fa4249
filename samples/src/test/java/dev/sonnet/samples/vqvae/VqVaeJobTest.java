package dev.sonnet.samples.vqvae;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.nets.VectorQuantizerEMA;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VqVaeJobTest {
  @TempDir Path dir;

  @Test
  void theModel_reconstructsAt28x28_throughA7x7Code() {
    var model =
        new VqVaeModel(
            new Encoder(8, 1, 4),
            new Decoder(8, 1, 4, 1),
            new VectorQuantizerEMA(4, 16, 0.25, 0.99),
            4,
            0.1);

    VqVaeModel.Output out = model.call(Tensor.zeros(DType.FLOAT32, 2, 28, 28, 1), false);

    assertThat(out.reconstruction().shape()).isEqualTo(Shape.of(2, 28, 28, 1));
    assertThat(out.vq().quantize().shape()).isEqualTo(Shape.of(2, 7, 7, 4));
  }

  @Test
  void aShortRun_reportsErrorAndPerplexity_andWritesReconstructions() throws Exception {
    var log = new ByteArrayOutputStream();
    Path png = dir.resolve("vq.png");
    var options =
        VqVaeJob.Options.parse(
            new String[] {
              "--steps",
              "3",
              "--hiddens",
              "8",
              "--residual-hiddens",
              "4",
              "--embedding-dim",
              "4",
              "--num-embeddings",
              "16",
              "--out",
              png.toString()
            });

    VqVaeJob.Result result =
        VqVaeJob.run(options, new PrintStream(log, true, StandardCharsets.UTF_8));

    assertThat(result.reconstructionError()).isFinite().isPositive();
    // Perplexity is exp(entropy of code use): between 1 (one code) and the codebook size.
    assertThat(result.perplexity()).isBetween(1.0 - 1e-6, 16.0 + 1e-6);
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains("reconstruction error", "perplexity", "reconstructions: ");
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(10 * 57 + 1);
    assertThat(image.getHeight()).isEqualTo(4 * 57 + 1);
  }

  @Test
  void pixelVariance_isThePopulationVarianceOfPixelsIn01() {
    byte[] pixels = {0, (byte) 255, 0, (byte) 255};
    var set =
        dev.sonnet.data.Datasets.fromArrays(
            dev.sonnet.data.Column.unsignedBytes("image", pixels, 2, 2));
    // values 0, 1, 0, 1: mean 0.5, variance 0.25
    assertThat(VqVaeJob.pixelVariance(set)).isEqualTo(0.25);
  }
}
