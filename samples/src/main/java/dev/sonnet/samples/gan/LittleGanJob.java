package dev.sonnet.samples.gan;

import dev.sonnet.data.ArrayDataset;
import dev.sonnet.data.Batch;
import dev.sonnet.data.DataIterator;
import dev.sonnet.data.Dataset;
import dev.sonnet.data.Datasets;
import dev.sonnet.data.FashionMnist;
import dev.sonnet.data.Remainder;
import dev.sonnet.samples.images.ImageGrid;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Sonnet 2's "Little GAN" example on Fashion-MNIST: trains {@link LittleGan} with {@link
 * GanTraining} (one discriminator and one generator step per batch of 100 real images), prints the
 * two losses as it goes, and writes a PNG: one row of real images, then rows of generated ones.
 *
 * <p>The defaults make a run of about a minute on two cores that already draws recognisable shoes,
 * shirts and trousers; the notebook trains 100 epochs of a wider model. Options: {@code --steps N}
 * (500), {@code --embed-dim N} (512; notebook 1024), {@code --layers N} (2), {@code --gen-rate R}
 * (2e-4; notebook 5e-5, the discriminator's rate is 2e-4 in both), {@code --seed N} (42), {@code
 * --out FILE} (little-gan.png), {@code --data-dir DIR}. Samples are drawn with batch statistics
 * ({@code isTraining}), as the notebook's default call does.
 */
public final class LittleGanJob {
  static final int BATCH = 100;
  static final double DISC_RATE = 2e-4;

  /** The generator's rate: the notebook's 5e-5 learns too slowly for a one-minute run. */
  static final double GEN_RATE = 2e-4;

  /** The job's settings. */
  public record Options(
      int steps, int embedDim, int layers, double genRate, long seed, Path out, Path dataDir) {
    public static Options parse(String[] args) {
      int steps = 500;
      int embedDim = 512;
      int layers = 2;
      double genRate = GEN_RATE;
      long seed = 42;
      Path out = Path.of("little-gan.png");
      Path dataDir = null;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--steps" -> steps = Integer.parseInt(require(args[i], value));
          case "--embed-dim" -> embedDim = Integer.parseInt(require(args[i], value));
          case "--layers" -> layers = Integer.parseInt(require(args[i], value));
          case "--gen-rate" -> genRate = Double.parseDouble(require(args[i], value));
          case "--seed" -> seed = Long.parseLong(require(args[i], value));
          case "--out" -> out = Path.of(require(args[i], value));
          case "--data-dir" -> dataDir = Path.of(require(args[i], value));
          default ->
              throw new IllegalArgumentException(
                  "Unknown option "
                      + args[i]
                      + "; options: --steps N --embed-dim N --layers N --gen-rate R --seed N --out FILE"
                      + " --data-dir DIR");
        }
        i++;
      }
      return new Options(steps, embedDim, layers, genRate, seed, out, dataDir);
    }

    private static String require(String option, String value) {
      if (value == null) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return value;
    }
  }

  /** What a run ends with. */
  public record Result(double discLoss, double genLoss, Path png) {}

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    run(options, System.out);
  }

  public static Result run(Options options, PrintStream out) {
    // Pixels in [0, 1] (the column's default scaling), each example [28, 28, 1].
    ArrayDataset train =
        Datasets.fashionMnist(
                FashionMnist.Options.defaults()
                    .withDataDir(options.dataDir())
                    .withLog(out::println))
            .train();
    LittleGan gan = new LittleGan(options.layers(), options.embedDim());
    GanTraining training = new GanTraining(gan, DISC_RATE, options.genRate(), options.seed());
    // Epoch after epoch, each a new permutation (the remainder of each dropped); the next batches
    // gathered on a background thread.
    Dataset<Batch> batches =
        train
            .shuffle(new Rng(options.seed() + 1))
            .batch(BATCH, Remainder.DROP)
            .repeat()
            .take(options.steps())
            .prefetch(2);
    double discLoss = Double.NaN;
    double genLoss = Double.NaN;
    long start = System.nanoTime();
    int every = Math.max(1, options.steps() / 10);
    int step = 0;
    try (DataIterator<Batch> pass = batches.open()) {
      for (Batch b : pass) {
        try (TensorScope scope = TensorScope.open()) {
          Tensor real = b.get("image").reshape(BATCH, 28, 28);
          Tensor d = training.discriminatorStep(real);
          Tensor g = training.generatorStep(BATCH);
          step++;
          if (step % every == 0 || step == options.steps()) {
            discLoss = d.item();
            genLoss = g.item();
            out.printf(
                Locale.ROOT,
                "step %5d/%d  disc loss %.4f  gen loss %.4f  %.1f s%n",
                step,
                options.steps(),
                discLoss,
                genLoss,
                (System.nanoTime() - start) / 1e9);
          }
        }
      }
    }
    Path png = writeSamples(gan, training, train, options.out());
    out.println("samples: " + png.toAbsolutePath() + " (top row real, then generated)");
    return new Result(discLoss, genLoss, png);
  }

  /** One row of 10 real images and four rows of generated ones, written to {@code path}. */
  static Path writeSamples(LittleGan gan, GanTraining training, ArrayDataset real, Path path) {
    int columns = 10;
    int generatedRows = 4;
    float[] grid = new float[(1 + generatedRows) * columns * 784];
    try (TensorScope scope = TensorScope.open()) {
      float[] realPixels =
          real.take(columns).batch(columns).toList().get(0).get("image").toFloatArray();
      System.arraycopy(realPixels, 0, grid, 0, realPixels.length);
      float[] generated =
          gan.generate(training.noise(generatedRows * columns), true).toFloatArray();
      System.arraycopy(generated, 0, grid, realPixels.length, generated.length);
    }
    return ImageGrid.writePng(path, grid, 1 + generatedRows, columns, 28, 28, 2);
  }
}
