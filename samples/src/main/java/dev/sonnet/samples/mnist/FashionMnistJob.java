package dev.sonnet.samples.mnist;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.Backends;
import dev.sonnet.data.ArrayDataset;
import dev.sonnet.data.Batch;
import dev.sonnet.data.DataIterator;
import dev.sonnet.data.Dataset;
import dev.sonnet.data.DatasetException;
import dev.sonnet.data.Datasets;
import dev.sonnet.data.FashionMnist;
import dev.sonnet.data.Remainder;
import dev.sonnet.losses.Losses;
import dev.sonnet.metrics.Mean;
import dev.sonnet.module.Sequential;
import dev.sonnet.optimizers.LearningRate;
import dev.sonnet.optimizers.Momentum;
import dev.sonnet.optimizers.Optimizer;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.summary.SummaryWriter;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job: trains a network on Fashion-MNIST and prints its test accuracy.
 *
 * <p>The default is Sonnet 2's MNIST example: an MLP ({@link Models#mlp}) on inputs scaled to
 * {@code [-1, 1]}, batches of 100, plain SGD starting at 0.1, softmax cross-entropy. The one change
 * is that the learning rate follows a cosine decay to 0 over the run ({@link
 * LearningRate#cosineDecay}): Fashion-MNIST is harder than MNIST, and the small final steps settle
 * the noisy end of constant-rate SGD (with a constant 0.1 the test accuracy swings by about 1% from
 * one epoch to the next). {@code --model convnet} trains a small ConvNet ({@link Models#convNet})
 * with SGD and momentum 0.9 under the same schedule instead. Each epoch shuffles the training set
 * with an explicit {@link Rng}, shows a progress line with the running loss and throughput, and the
 * job ends with a summary table whose last line is exactly {@code test_accuracy=0.XXXX}. For a
 * given seed the run is deterministic on the CPU backend.
 *
 * <p>Options: see {@link Options#USAGE}.
 */
public final class FashionMnistJob {
  /** Test images per forward pass when evaluating; large batches are faster and need no tape. */
  private static final int EVAL_BATCH = 1000;

  /**
   * How many times per epoch the running loss is read for the progress bar, chart and TensorBoard.
   */
  private static final int READS_PER_EPOCH = 12;

  /** The ConvNet's momentum, the usual value. */
  private static final double CONVNET_MOMENTUM = 0.9;

  private final Options options;
  private final PrintStream out;
  private final boolean terminal;

  FashionMnistJob(Options options, PrintStream out, boolean terminal) {
    this.options = options;
    this.out = out;
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (Options.HelpRequested e) {
      System.out.println(Options.USAGE);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try {
      new FashionMnistJob(options, System.out, isTerminal()).run();
    } catch (DatasetException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    }
  }

  /**
   * Whether standard output is a terminal, where the progress bar redraws in place. Since JDK 22
   * {@code System.console()} exists even when output is redirected; {@code isTerminal} tells.
   */
  private static boolean isTerminal() {
    Console console = System.console();
    return console != null && console.isTerminal();
  }

  /** The outcome of a run. */
  record Result(int epochs, double seconds, long examples, double testAccuracy, double finalLoss) {}

  /** Loads the data, trains, evaluates, prints the summary; returns the numbers. */
  Result run() {
    out.println(
        "Backend: "
            + Backends.getDefault().name()
            + " ("
            + Backends.getDefault().deviceName()
            + ")");
    FashionMnist data =
        Datasets.fashionMnist(
            FashionMnist.Options.defaults()
                .withDataDir(options.dataDir())
                .withDownload(options.download())
                .withLog(out::println));
    // Inputs in [-1, 1], as Sonnet's MNIST example; the backend converts the bytes on upload.
    ArrayDataset train = data.train().scaled("image", 2f / 255f, -1f);
    ArrayDataset test = data.test().scaled("image", 2f / 255f, -1f);
    int trainCount =
        options.limit() > 0
            ? Math.min(options.limit(), train.exampleCount())
            : train.exampleCount();
    int batch = Math.min(options.batchSizeOrDefault(), trainCount);
    int epochs = options.epochsOrDefault();
    double rate = options.learningRateOrDefault();

    Sequential model =
        options.model() == Options.Model.MLP
            ? Models.mlp(options.seed())
            : Models.convNet(options.seed());
    int steps = trainCount / batch; // the remainder of a shuffle is left out, as drop_remainder
    LearningRate schedule = LearningRate.cosineDecay(rate, (long) steps * epochs);
    Optimizer optimizer =
        options.model() == Options.Model.MLP
            ? new SGD(schedule)
            : Momentum.builder(schedule, CONVNET_MOMENTUM).build();
    model.call(train.take(1).batch(1).toList().get(0).get("image"));
    List<Variable> params = model.trainableVariables();
    long paramCount = 0;
    for (Variable v : params) {
      paramCount += v.shape().size();
    }
    out.printf(
        Locale.ROOT,
        "Model %s, %,d parameters; %s; %d training images, batch %d, %d" + " epochs, seed %d%n",
        options.model().name().toLowerCase(Locale.ROOT),
        paramCount,
        optimizer,
        trainCount,
        batch,
        epochs,
        options.seed());

    // Each pass (epoch) a new permutation drawn from one Rng seeded by --seed; the last partial
    // batch is dropped; the next batches are gathered on a background thread while a step runs.
    Dataset<Batch> batches =
        train.take(trainCount).shuffle(options.seed()).batch(batch, Remainder.DROP).prefetch(2);
    Mean epochLoss = new Mean("epoch_loss");
    List<double[]> perEpoch = new ArrayList<>();
    List<MemoryReport> memoryPerEpoch = new ArrayList<>();
    TrainingChart chart = new TrainingChart();
    // The running loss is read (a wait for the device) about a dozen times per epoch: for the
    // progress bar, the chart and TensorBoard, not on every step.
    int readEvery = Math.max(1, steps / READS_PER_EPOCH);
    long start = System.nanoTime();
    double lastLoss = Double.NaN;
    double accuracy = Double.NaN;
    double evalSeconds = 0;
    Path outDir = options.outDirOrDefault().toAbsolutePath();
    // One TensorBoard run per job: runs sit side by side under tensorboard/, as PyTorch's runs/.
    Path runDir =
        outDir
            .resolve("tensorboard")
            .resolve(
                String.format(
                    Locale.ROOT,
                    "%s-seed%d-%s",
                    options.model().name().toLowerCase(Locale.ROOT),
                    options.seed(),
                    LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
    try (SummaryWriter tb = SummaryWriter.create(runDir)) {
      writeFirstImages(tb, data);
      for (int epoch = 1; epoch <= epochs; epoch++) {
        epochLoss.reset();
        long epochStart = System.nanoTime();
        int s = 0;
        int windowStart = 0;
        double windowStartSum = 0;
        String label = String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs);
        try (TrainingProgress progress =
                new TrainingProgress(out, terminal, label, (long) steps * batch);
            DataIterator<Batch> pass = batches.open()) {
          for (Batch b : pass) {
            // The step's tensors (batch, activations, gradients) are freed when it ends, so the
            // next step reuses their memory; variables and the metric keep their values.
            try (TensorScope step = TensorScope.open()) {
              Tensor loss;
              List<Tensor> grads;
              try (GradientTape tape = GradientTape.open()) {
                loss = Losses.softmaxCrossEntropy(model.call(b.get("image")), b.get("label"));
                grads = tape.gradient(loss, params);
              }
              optimizer.apply(grads, params);
              epochLoss.update(loss);
              s++;
              progress.step(batch);
              if (s % readEvery == 0 || s == steps) {
                // The mean over the steps since the last read, from the epoch's running mean.
                double running = epochLoss.value().item();
                double window = (running * s - windowStartSum) / (s - windowStart);
                windowStart = s;
                windowStartSum = running * s;
                progress.loss(running);
                chart.recentLoss(epoch - 1 + (double) s / steps, window);
                tb.scalar("train/loss_recent", window, (long) (epoch - 1) * steps + s);
              }
            }
          }
          lastLoss = epochLoss.value().item();
          progress.loss(lastLoss);
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        if (!Double.isFinite(lastLoss)) {
          throw new IllegalStateException(
              "The loss became "
                  + lastLoss
                  + " in epoch "
                  + epoch
                  + "; the learning rate "
                  + rate
                  + " is too large for this model. Try"
                  + " --learning-rate "
                  + rate / 10);
        }
        long evalStart = System.nanoTime();
        accuracy = evaluate(model, test);
        evalSeconds += (System.nanoTime() - evalStart) / 1e9;
        out.printf(
            Locale.ROOT,
            "epoch %d/%d mean loss %.4f, test accuracy %.4f%n",
            epoch,
            epochs,
            lastLoss,
            accuracy);
        MemoryReport memory = MemoryReport.sample();
        out.printf(Locale.ROOT, "epoch %d/%d memory %s%n", epoch, epochs, memory.describe());
        perEpoch.add(new double[] {seconds, lastLoss, accuracy});
        memoryPerEpoch.add(memory);
        chart.epoch(epoch, lastLoss, accuracy);
        long globalStep = (long) epoch * steps;
        tb.scalar("train/loss", lastLoss, globalStep);
        tb.scalar("test/accuracy", accuracy, globalStep);
        for (Variable v : params) {
          tb.histogram("weights/" + v.name(), v, globalStep);
        }
      }
    }
    Path chartFile = outDir.resolve("training.png");
    try {
      chart.save(
          chartFile,
          String.format(
              Locale.ROOT,
              "Fashion-MNIST, %s, seed %d",
              options.model().name().toLowerCase(Locale.ROOT),
              options.seed()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the chart " + chartFile + ": " + e, e);
    }
    double trainSeconds = (System.nanoTime() - start) / 1e9 - evalSeconds;
    long examples = (long) steps * batch * epochs;

    out.println();
    out.println(
        "| epoch | seconds | examples/s | mean loss | test accuracy | heap live |" + "      RSS |");
    out.println(
        "|-------+---------+------------+-----------+---------------+-----------|" + "----------|");
    for (int e = 0; e < perEpoch.size(); e++) {
      double[] r = perEpoch.get(e);
      MemoryReport m = memoryPerEpoch.get(e);
      out.printf(
          Locale.ROOT,
          "| %5d | %7.1f | %10.0f | %9.4f | %13.4f | %9s | %8s |%n",
          e + 1,
          r[0],
          steps * batch / r[0],
          r[1],
          r[2],
          MemoryReport.mb(m.heapLive()),
          MemoryReport.mb(m.rss()));
    }
    out.println();
    out.printf(Locale.ROOT, "model          %s%n", options.model().name().toLowerCase(Locale.ROOT));
    out.printf(
        Locale.ROOT,
        "data           %s%s%n",
        data.source(),
        data.isSubset() ? " (embedded subset)" : "");
    out.printf(Locale.ROOT, "epochs         %d%n", epochs);
    out.printf(
        Locale.ROOT,
        "train time     %.1f s (%.1f s per epoch)%n",
        trainSeconds,
        trainSeconds / epochs);
    out.printf(Locale.ROOT, "throughput     %.0f examples/s%n", examples / trainSeconds);
    out.printf(
        Locale.ROOT,
        "test time      %.1f s (%d images after each epoch)%n",
        evalSeconds,
        test.exampleCount());
    MemoryReport end = MemoryReport.sample();
    out.printf(
        Locale.ROOT,
        "peak heap      %s (heap pools' peaks summed; max heap %s)%n",
        MemoryReport.mb(end.heapPeak()),
        MemoryReport.mb(Runtime.getRuntime().maxMemory()));
    out.printf(Locale.ROOT, "peak RSS       %s (VmHWM)%n", MemoryReport.mb(end.rssPeak()));
    out.printf(Locale.ROOT, "chart          %s%n", chartFile);
    out.printf(
        Locale.ROOT, "tensorboard    tensorboard --logdir %s%n", outDir.resolve("tensorboard"));
    out.printf(Locale.ROOT, "test_accuracy=%.4f%n", accuracy);
    return new Result(epochs, trainSeconds, examples, accuracy, lastLoss);
  }

  /** The first eight test images, as TensorBoard shows inputs: one image each, grey in [0, 1]. */
  private static void writeFirstImages(SummaryWriter tb, FashionMnist data) {
    try (TensorScope scope = TensorScope.open();
        DataIterator<Batch> first = data.test().batch(8).open()) {
      Tensor images = first.next().get("image"); // [8, 28, 28, 1] in [0, 1]
      for (int i = 0; i < images.dim(0); i++) {
        Tensor one =
            images.slice(
                new int[] {i, 0, 0, 0}, new int[] {i + 1, 28, 28, 1}, new int[] {1, 1, 1, 1});
        tb.image("inputs/test_" + i, one.reshape(28, 28, 1), 0);
      }
    }
  }

  /** The fraction of {@code test} classified correctly, in batches of {@value #EVAL_BATCH}. */
  static double evaluate(Sequential model, ArrayDataset test) {
    long correct = 0;
    try (DataIterator<Batch> pass = test.batch(EVAL_BATCH, Remainder.KEEP).prefetch(1).open()) {
      for (Batch b : pass) {
        try (TensorScope scope = TensorScope.open()) {
          correct += Losses.correctCount(model.call(b.get("image")), b.get("label"));
        }
      }
    }
    return (double) correct / test.exampleCount();
  }
}
