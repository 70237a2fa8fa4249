package dev.sonnet.samples.vqvae;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.data.ArrayDataset;
import dev.sonnet.data.Batch;
import dev.sonnet.data.DataIterator;
import dev.sonnet.data.Dataset;
import dev.sonnet.data.Datasets;
import dev.sonnet.data.Example;
import dev.sonnet.data.FashionMnist;
import dev.sonnet.data.Remainder;
import dev.sonnet.nets.VectorQuantizerEMA;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.samples.images.ImageGrid;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Sonnet 2's VQ-VAE example on Fashion-MNIST: trains {@link VqVaeModel} (moving-average codebook,
 * Adam at 3e-4, batches of 32 images in {@code [-0.5, 0.5]}), printing the reconstruction error
 * (relative to the data variance) and the codebook perplexity (how many codes are in use, {@code
 * exp} of the codes' entropy) as it goes and on 1,000 test images at the end, and writes a PNG of
 * test images (odd rows) above their reconstructions (even rows).
 *
 * <p>The model is smaller than the notebook's CIFAR-10 one so a default run takes about a minute on
 * two cores: options {@code --steps N} (1500), {@code --hiddens N} (64; notebook 128), {@code
 * --residual-hiddens N} (16; 32), {@code --residual-layers N} (2), {@code --embedding-dim N} (16;
 * 64), {@code --num-embeddings N} (128; 512), {@code --seed N} (42), {@code --out FILE}
 * (vqvae.png), {@code --data-dir DIR}.
 */
public final class VqVaeJob {
  static final int BATCH = 32;
  static final double LEARNING_RATE = 3e-4;
  static final double COMMITMENT_COST = 0.25;
  static final double DECAY = 0.99;
  static final int TEST_IMAGES = 1000;

  /** The job's settings. */
  public record Options(
      int steps,
      int hiddens,
      int residualHiddens,
      int residualLayers,
      int embeddingDim,
      int numEmbeddings,
      long seed,
      Path out,
      Path dataDir) {
    public static Options parse(String[] args) {
      int[] ints = {1500, 64, 16, 2, 16, 128};
      String[] names = {
        "--steps",
        "--hiddens",
        "--residual-hiddens",
        "--residual-layers",
        "--embedding-dim",
        "--num-embeddings"
      };
      long seed = 42;
      Path out = Path.of("vqvae.png");
      Path dataDir = null;
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        String value = args[i + 1];
        int index = List.of(names).indexOf(args[i]);
        if (index >= 0) {
          ints[index] = Integer.parseInt(value);
        } else if (args[i].equals("--seed")) {
          seed = Long.parseLong(value);
        } else if (args[i].equals("--out")) {
          out = Path.of(value);
        } else if (args[i].equals("--data-dir")) {
          dataDir = Path.of(value);
        } else {
          throw new IllegalArgumentException(
              "Unknown option "
                  + args[i]
                  + "; options: "
                  + String.join(" N ", names)
                  + " N"
                  + " --seed N --out FILE --data-dir DIR");
        }
      }
      return new Options(ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], seed, out, dataDir);
    }
  }

  /** What a run ends with, measured on the test images. */
  public record Result(double reconstructionError, double perplexity, Path png) {}

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
    FashionMnist data =
        Datasets.fashionMnist(
            FashionMnist.Options.defaults().withDataDir(options.dataDir()).withLog(out::println));
    // The notebook's cast_and_normalise_images: pixels / 255 - 0.5, in [-0.5, 0.5].
    ArrayDataset train = data.train().scaled("image", 1f / 255f, -0.5f);
    ArrayDataset test = data.test().scaled("image", 1f / 255f, -0.5f);
    double variance = pixelVariance(data.train());
    VqVaeModel model =
        new VqVaeModel(
            new Encoder(options.hiddens(), options.residualLayers(), options.residualHiddens()),
            new Decoder(options.hiddens(), options.residualLayers(), options.residualHiddens(), 1),
            new VectorQuantizerEMA(
                options.embeddingDim(), options.numEmbeddings(), COMMITMENT_COST, DECAY),
            options.embeddingDim(),
            variance);
    Adam optimizer = new Adam(LEARNING_RATE);
    // The notebook's shuffle().repeat(-1).batch(drop_remainder=True).prefetch(): here each pass a
    // full permutation drawn from the seed.
    Dataset<Batch> batches =
        train
            .shuffle(new Rng(options.seed()))
            .repeat()
            .batch(BATCH, Remainder.DROP)
            .take(options.steps())
            .prefetch(2);
    int every = Math.max(1, options.steps() / 10);
    double errorSum = 0;
    double perplexitySum = 0;
    int since = 0;
    long start = System.nanoTime();
    int step = -1;
    try (DataIterator<Batch> pass = batches.open()) {
      for (Batch b : pass) {
        step++;
        try (TensorScope scope = TensorScope.open()) {
          Tensor images = b.get("image");
          VqVaeModel.Output output;
          List<Variable> params;
          List<Tensor> grads;
          try (GradientTape tape = GradientTape.open()) {
            output = model.call(images, true);
            params = model.trainableVariables();
            grads = tape.gradient(output.loss(), params);
          }
          optimizer.apply(grads, params);
          errorSum += output.reconstructionError().item();
          perplexitySum += output.vq().perplexity().item();
          since++;
          if ((step + 1) % every == 0 || step + 1 == options.steps()) {
            out.printf(
                Locale.ROOT,
                "step %4d/%d  reconstruction error %.4f  perplexity %.1f  %.1f s%n",
                step + 1,
                options.steps(),
                errorSum / since,
                perplexitySum / since,
                (System.nanoTime() - start) / 1e9);
            errorSum = 0;
            perplexitySum = 0;
            since = 0;
          }
        }
      }
    }
    return evaluate(model, test, data.test(), options.out(), out);
  }

  /**
   * Test reconstruction error and perplexity over the first 1,000 test images ({@code test}, in
   * {@code [-0.5, 0.5]}), and the PNG of the first 20 ({@code originals}, in {@code [0, 1]}).
   */
  static Result evaluate(
      VqVaeModel model, ArrayDataset test, ArrayDataset originals, Path png, PrintStream out) {
    int n = Math.min(TEST_IMAGES, test.exampleCount());
    double error;
    double perplexity;
    float[] firstReconstructions;
    float[] firstOriginals;
    try (TensorScope scope = TensorScope.open()) {
      VqVaeModel.Output output =
          model.call(test.take(n).batch(n).toList().get(0).get("image"), false);
      error = output.reconstructionError().item();
      perplexity = output.vq().perplexity().item();
      firstReconstructions =
          output
              .reconstruction()
              .slice(new int[] {0, 0, 0, 0}, new int[] {20, 28, 28, 1}, null)
              .toFloatArray();
      firstOriginals = originals.take(20).batch(20).toList().get(0).get("image").toFloatArray();
    }
    float[] grid = new float[40 * 784];
    for (int row = 0; row < 2; row++) {
      for (int i = 0; i < 10 * 784; i++) {
        grid[(2 * row) * 10 * 784 + i] = firstOriginals[row * 10 * 784 + i];
        grid[(2 * row + 1) * 10 * 784 + i] = firstReconstructions[row * 10 * 784 + i] + 0.5f;
      }
    }
    Path written = ImageGrid.writePng(png, grid, 4, 10, 28, 28, 2);
    out.printf(
        Locale.ROOT,
        "test: reconstruction error %.4f  perplexity %.1f (of the %d test images)%n",
        error,
        perplexity,
        n);
    out.println("reconstructions: " + written.toAbsolutePath() + " (rows 1 and 3 originals)");
    return new Result(error, perplexity, written);
  }

  /**
   * The variance of all pixels of {@code set}'s byte column {@code image}, scaled to {@code [0,
   * 1]}, as the notebook computes it.
   */
  static double pixelVariance(ArrayDataset set) {
    double sum = 0;
    double sumSquares = 0;
    long count = 0;
    try (DataIterator<Example> examples = set.scaled("image", 1f, 0f).open()) {
      for (Example e : examples) {
        float[] raw = e.floats("image"); // the byte values 0..255, exactly
        for (float p : raw) {
          double v = p / 255.0;
          sum += v;
          sumSquares += v * v;
        }
        count += raw.length;
      }
    }
    double mean = sum / count;
    return sumSquares / count - mean * mean;
  }
}
