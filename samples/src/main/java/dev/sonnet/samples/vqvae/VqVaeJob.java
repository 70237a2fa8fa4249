package dev.sonnet.samples.vqvae;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.nets.VectorQuantizerEMA;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.samples.data.FashionMnist;
import dev.sonnet.samples.data.LabeledImages;
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
    FashionMnist data = FashionMnist.load(options.dataDir(), false, out);
    LabeledImages train = data.train();
    LabeledImages test = data.test();
    double variance = pixelVariance(train);
    VqVaeModel model =
        new VqVaeModel(
            new Encoder(options.hiddens(), options.residualLayers(), options.residualHiddens()),
            new Decoder(options.hiddens(), options.residualLayers(), options.residualHiddens(), 1),
            new VectorQuantizerEMA(
                options.embeddingDim(), options.numEmbeddings(), COMMITMENT_COST, DECAY),
            options.embeddingDim(),
            variance);
    Adam optimizer = new Adam(LEARNING_RATE);
    Rng rng = new Rng(options.seed());
    int every = Math.max(1, options.steps() / 10);
    double errorSum = 0;
    double perplexitySum = 0;
    int since = 0;
    long start = System.nanoTime();
    for (int step = 0; step < options.steps(); step++) {
      try (TensorScope scope = TensorScope.open()) {
        Tensor images = images(train, randomIndices(rng, train.count(), BATCH));
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
    return evaluate(model, test, options.out(), out);
  }

  /** Test reconstruction error and perplexity over the first 1,000 test images, and the PNG. */
  static Result evaluate(VqVaeModel model, LabeledImages test, Path png, PrintStream out) {
    int n = Math.min(TEST_IMAGES, test.count());
    double error;
    double perplexity;
    float[] firstReconstructions;
    try (TensorScope scope = TensorScope.open()) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      VqVaeModel.Output output = model.call(images(test, all), false);
      error = output.reconstructionError().item();
      perplexity = output.vq().perplexity().item();
      firstReconstructions =
          output
              .reconstruction()
              .slice(new int[] {0, 0, 0, 0}, new int[] {20, 28, 28, 1}, null)
              .toFloatArray();
    }
    float[] originals = test.scaledPixels(0, 20);
    float[] grid = new float[40 * 784];
    for (int row = 0; row < 2; row++) {
      for (int i = 0; i < 10 * 784; i++) {
        grid[(2 * row) * 10 * 784 + i] = (originals[row * 10 * 784 + i] + 1f) / 2f;
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

  /** The variance of all training pixels scaled to {@code [0, 1]}, as the notebook computes it. */
  static double pixelVariance(LabeledImages set) {
    byte[] pixels = set.pixels();
    double sum = 0;
    double sumSquares = 0;
    for (byte p : pixels) {
      double v = (p & 0xff) / 255.0;
      sum += v;
      sumSquares += v * v;
    }
    double mean = sum / pixels.length;
    return sumSquares / pixels.length - mean * mean;
  }

  /** Images {@code indices} as {@code [n, 28, 28, 1]} in {@code [-0.5, 0.5]}. */
  static Tensor images(LabeledImages set, int[] indices) {
    float[] pixels = new float[indices.length * 784];
    byte[] src = set.pixels();
    for (int i = 0; i < indices.length; i++) {
      int base = indices[i] * 784;
      for (int p = 0; p < 784; p++) {
        pixels[i * 784 + p] = (src[base + p] & 0xff) / 255f - 0.5f;
      }
    }
    return Tensor.of(pixels, indices.length, 28, 28, 1);
  }

  private static int[] randomIndices(Rng rng, int count, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = rng.nextInt(count);
    }
    return out;
  }
}
