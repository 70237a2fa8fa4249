package dev.sonnet.samples.opencl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.Backends;
import dev.sonnet.samples.gan.LittleGanJob;
import dev.sonnet.samples.vqvae.VqVaeJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sonnet 2's Little GAN and VQ-VAE examples, unchanged, for a few steps on the OpenCL runtime
 * (samples' {@code opencl} execution): both train, report finite figures and write their PNG.
 */
@Tag("opencl")
class ExamplesOnOpenClTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void littleGan_andVqVae_trainOnOpenCl_andWriteTheirPictures() throws Exception {
    FashionMnistJobOnOpenClTest.requireOpenCl();
    assertThat(Backends.getDefault().name()).isEqualTo("opencl");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    LittleGanJob.Result gan =
        LittleGanJob.run(
            LittleGanJob.Options.parse(
                new String[] {
                  "--steps", "2", "--embed-dim", "32", "--out", dir.resolve("gan.png").toString()
                }),
            quiet);
    VqVaeJob.Result vq =
        VqVaeJob.run(
            VqVaeJob.Options.parse(
                new String[] {
                  "--steps",
                  "2",
                  "--hiddens",
                  "8",
                  "--residual-hiddens",
                  "4",
                  "--embedding-dim",
                  "4",
                  "--num-embeddings",
                  "16",
                  "--out",
                  dir.resolve("vq.png").toString()
                }),
            quiet);

    assertThat(gan.discLoss()).isFinite();
    assertThat(gan.genLoss()).isFinite();
    assertThat(vq.reconstructionError()).isFinite().isPositive();
    assertThat(vq.perplexity()).isBetween(1.0 - 1e-6, 16.0 + 1e-6);
    assertThat(Files.size(gan.png())).isPositive();
    assertThat(Files.size(vq.png())).isPositive();
  }
}
