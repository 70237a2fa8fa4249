package dev.sonnet.samples.mnist;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The main job's command line: {@code --epochs N --model mlp|convnet --data DIR --seed S --limit N
 * --batch-size N --learning-rate R}; every option has a default, so no argument at all trains the
 * MLP as the README describes.
 *
 * @param model which network to train
 * @param epochs passes over the training set; 0 means the model's default
 * @param dataDir a directory holding the four Fashion-MNIST files, or null to search the usual
 *     places ({@link dev.sonnet.data.FashionMnist#load})
 * @param seed seeds the initial weights and the shuffling
 * @param limit train on the first {@code limit} training images only (0: all), for quick runs
 * @param batchSize examples per step; 0 means the model's default
 * @param learningRate the optimizer's rate; 0 means the model's default
 * @param outDir where the chart ({@code training.png}) and the TensorBoard event files ({@code
 *     tensorboard/}) go; null for {@value #DEFAULT_OUT}
 * @param download whether to download Fashion-MNIST (checked by SHA-256, into the cache) when no
 *     local copy exists; without it the job never reaches the network
 */
public record Options(
    Model model,
    int epochs,
    Path dataDir,
    long seed,
    int limit,
    int batchSize,
    double learningRate,
    Path outDir,
    boolean download) {

  /** The output directory when none is given, relative to the working directory. */
  public static final String DEFAULT_OUT = "target/fashion-mnist";

  /** The networks the job can train. */
  public enum Model {
    /** Sonnet 2's MNIST example: Flatten, Linear(1024), relu, Linear(1024), relu, Linear(10). */
    MLP,
    /** Two convolutions with max-pooling and a hidden linear layer. */
    CONVNET
  }

  /** The usage text, printed for {@code --help} and after a wrong argument. */
  public static final String USAGE =
      """
      Usage: FashionMnistJob [--model mlp|convnet] [--epochs N] [--data DIR] [--download]
                             [--seed S] [--limit N] [--batch-size N] [--learning-rate R]
                             [--out DIR]
        --model          mlp (default) or convnet
        --epochs         passes over the training set (default: 10 for mlp, 4 for convnet)
        --data           directory with the Fashion-MNIST files (default: search Debian's
                         package and the cache, else use the embedded subset)
        --download       download the dataset into the cache when no copy is found
        --out            where the chart and TensorBoard files go (default target/fashion-mnist)
        --seed           seed of the initial weights and the shuffling (default 42)
        --limit          train on the first N training images only (default: all 60000)
        --batch-size     examples per step (default 100)
        --learning-rate  the optimizer's learning rate (default 0.1 for mlp, 0.05 for convnet)""";

  /**
   * Parses {@code args}.
   *
   * @throws IllegalArgumentException naming the bad argument, with the usage
   */
  public static Options parse(String... args) {
    Model model = Model.MLP;
    int epochs = 0;
    Path data = null;
    long seed = 42;
    int limit = 0;
    int batch = 0;
    double rate = 0;
    boolean download = false;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.isBlank()) {
        continue;
      }
      String key = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        key = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (key.equals("--help") || key.equals("-h")) {
        throw new HelpRequested();
      }
      if (key.equals("--download") && value == null) {
        download = true;
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw bad(a + " needs a value");
        }
        value = args[++i];
      }
      switch (key) {
        case "--model" ->
            model =
                switch (value.toLowerCase(Locale.ROOT)) {
                  case "mlp" -> Model.MLP;
                  case "convnet" -> Model.CONVNET;
                  default -> throw bad("--model must be mlp or convnet, got \"" + value + "\"");
                };
        case "--epochs" -> epochs = positive(key, value);
        case "--data" -> data = Path.of(value);
        case "--out" -> out = Path.of(value);
        case "--download" -> download = Boolean.parseBoolean(value);
        case "--seed" -> seed = parseLong(key, value);
        case "--limit" -> limit = positive(key, value);
        case "--batch-size" -> batch = positive(key, value);
        case "--learning-rate" -> {
          try {
            rate = Double.parseDouble(value);
          } catch (NumberFormatException e) {
            throw bad("--learning-rate needs a number, got \"" + value + "\"");
          }
          if (!(rate > 0) || Double.isInfinite(rate)) {
            throw bad("--learning-rate must be > 0, got " + value);
          }
        }
        default -> throw bad("unknown option \"" + a + "\"");
      }
    }
    return new Options(model, epochs, data, seed, limit, batch, rate, out, download);
  }

  /** The epochs to run: the given number, or the model's default. */
  public int epochsOrDefault() {
    return epochs > 0 ? epochs : model == Model.MLP ? 10 : 4;
  }

  /** The output directory: the given one, or {@value #DEFAULT_OUT}. */
  public Path outDirOrDefault() {
    return outDir != null ? outDir : Path.of(DEFAULT_OUT);
  }

  /** The batch size: the given one, or 100 (Sonnet's MNIST example). */
  public int batchSizeOrDefault() {
    return batchSize > 0 ? batchSize : 100;
  }

  /** The learning rate: the given one, or the model's default. */
  public double learningRateOrDefault() {
    return learningRate > 0 ? learningRate : model == Model.MLP ? 0.1 : 0.05;
  }

  private static int positive(String key, String value) {
    long v = parseLong(key, value);
    if (v < 1 || v > Integer.MAX_VALUE) {
      throw bad(key + " must be a positive integer, got " + value);
    }
    return (int) v;
  }

  private static long parseLong(String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw bad(key + " needs an integer, got \"" + value + "\"");
    }
  }

  private static IllegalArgumentException bad(String message) {
    return new IllegalArgumentException(message + "\n" + USAGE);
  }

  /** Thrown by {@link #parse} for {@code --help}. */
  public static final class HelpRequested extends RuntimeException {
    HelpRequested() {
      super(USAGE, null, false, false);
    }
  }
}
