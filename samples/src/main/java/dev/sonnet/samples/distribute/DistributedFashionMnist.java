package dev.sonnet.samples.distribute;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.distribute.PerReplica;
import dev.sonnet.distribute.ReduceOp;
import dev.sonnet.distribute.Replicator;
import dev.sonnet.losses.Losses;
import dev.sonnet.nets.Cifar10ConvNet;
import dev.sonnet.optimizers.Momentum;
import dev.sonnet.samples.data.FashionMnist;
import dev.sonnet.samples.data.LabeledImages;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Sonnet 2's distributed CIFAR-10 notebook ({@code examples/distributed_cifar10.ipynb}) in Java, on
 * Fashion-MNIST: a {@link Cifar10ConvNet} trained with momentum SGD by {@code N} replicas in this
 * process. Each replica computes the mean cross-entropy of its share of the global batch, the step
 * all-reduces the gradients with {@code MEAN} ("typically just 2 lines") and applies them, and the
 * per-replica losses are reduced with {@code SUM}, exactly as the notebook's {@code train_step};
 * evaluation counts correct answers per replica and reduces the counts with {@code SUM}.
 *
 * <p>The notebook's network (eleven layers, 64 to 512 channels) is {@code --full-net}; the default
 * is the same architecture with three narrow layers, so the default run takes seconds on a laptop.
 * As in Sonnet, the net's plain {@code BatchNorm}s use each replica's own batch statistics (the
 * README's "we do not sync your batch norm stats"); {@code CrossReplicaBatchNorm} is the module
 * that would.
 *
 * <p>Options: {@code --replicas N} (2), {@code --steps S} (40), {@code --batch B} per replica (32),
 * {@code --eval E} test images (1000), {@code --lr} (0.05), {@code --data DIR}, {@code --full-net}.
 */
public final class DistributedFashionMnist {
  /** The notebook's momentum. */
  static final double MOMENTUM = 0.9;

  /** The settings of one run. */
  record Options(
      int replicas,
      int steps,
      int batchPerReplica,
      int evalExamples,
      double learningRate,
      Path dataDir,
      boolean fullNet) {
    static Options parse(String... args) {
      int replicas = 2;
      int steps = 40;
      int batch = 32;
      int eval = 1000;
      double lr = 0.05;
      Path data = null;
      boolean full = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--full-net")) {
          full = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("Option " + a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--replicas" -> replicas = positive(a, v);
          case "--steps" -> steps = positive(a, v);
          case "--batch" -> batch = positive(a, v);
          case "--eval" -> eval = positive(a, v);
          case "--lr" -> lr = Double.parseDouble(v);
          case "--data" -> data = Path.of(v);
          default ->
              throw new IllegalArgumentException(
                  "Unknown option "
                      + a
                      + "; known: --replicas --steps --batch --eval --lr --data --full-net");
        }
      }
      return new Options(replicas, steps, batch, eval, lr, data, full);
    }

    private static int positive(String option, String value) {
      int n = Integer.parseInt(value);
      if (n < 1) {
        throw new IllegalArgumentException(option + " must be at least 1, got " + value);
      }
      return n;
    }
  }

  /** What a run measured, and the model, for tests. */
  record Result(
      double firstLoss,
      double lastLoss,
      double testAccuracy,
      double seconds,
      Cifar10ConvNet model) {}

  private DistributedFashionMnist() {}

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

  static Cifar10ConvNet model(boolean fullNet) {
    return fullNet
        ? new Cifar10ConvNet()
        : Cifar10ConvNet.builder().outputChannels(16, 32, 32).strides(1, 2, 2).build();
  }

  /** Loads the data, trains, evaluates, prints one line per ten steps and a summary. */
  static Result run(Options o, PrintStream out) {
    FashionMnist data = FashionMnist.load(o.dataDir(), true, out);
    LabeledImages train = data.train();
    LabeledImages test = data.test();
    int global = o.batchPerReplica() * o.replicas();
    try (Replicator replicator = Replicator.cpu(o.replicas())) {
      out.printf(
          Locale.ROOT,
          "%d replicas, %d thread(s) each; global batch %d (%d per replica); data: %s%n",
          o.replicas(),
          replicator.threadsPerReplica(0),
          global,
          o.batchPerReplica(),
          data.source());
      Cifar10ConvNet model = model(o.fullNet());
      Momentum optimizer = new Momentum(o.learningRate(), MOMENTUM);

      double first = Double.NaN;
      double last = Double.NaN;
      long start = System.nanoTime();
      for (int step = 0; step < o.steps(); step++) {
        int from = (int) ((long) step * global % (train.count() - global + 1));
        PerReplica<Tensor> images = replicator.split(images(train, from, global));
        PerReplica<Tensor> labels = replicator.split(labels(train, from, global));
        PerReplica<Tensor> perReplicaLoss =
            replicator.run(
                (ctx, replica) -> {
                  try (TensorScope scope = TensorScope.open();
                      GradientTape tape = GradientTape.open()) {
                    Tensor logits = model.call(images.get(replica), true).logits();
                    Tensor loss = Losses.softmaxCrossEntropy(logits, labels.get(replica));
                    List<Variable> params = model.trainableVariables();
                    List<Tensor> grads = tape.gradient(loss, params);
                    // Aggregate the gradients from the full batch.
                    grads = ctx.allReduce(ReduceOp.MEAN, grads);
                    optimizer.apply(grads, params);
                    return scope.keep(loss);
                  }
                },
                PerReplica.of(indices(o.replicas())));
        double loss = replicator.reduce(ReduceOp.SUM, perReplicaLoss).item();
        if (step == 0) {
          first = loss;
        }
        last = loss;
        if (step % 10 == 0 || step == o.steps() - 1) {
          out.printf(Locale.ROOT, "step %d  loss (sum over replicas) %.4f%n", step, loss);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double accuracy = evaluate(replicator, model, test, o);
      out.printf(
          Locale.ROOT,
          "| replicas | steps | examples/s | final loss (sum) | test accuracy |%n"
              + "| %d | %d | %.1f | %.4f | %.4f |%n",
          o.replicas(),
          o.steps(),
          o.steps() * (double) global / seconds,
          last,
          accuracy);
      out.printf(Locale.ROOT, "test_accuracy=%.4f%n", accuracy);
      return new Result(first, last, accuracy, seconds, model);
    }
  }

  /** Correct answers counted per replica and reduced with SUM, as the notebook's evaluation. */
  private static double evaluate(
      Replicator replicator, Cifar10ConvNet model, LabeledImages test, Options o) {
    int n = replicator.numReplicas();
    int perReplica = Math.max(1, Math.min(o.evalExamples(), test.count()) / n);
    int total = perReplica * n;
    PerReplica<Tensor> images = replicator.split(images(test, 0, total));
    PerReplica<Tensor> labels = replicator.split(labels(test, 0, total));
    PerReplica<Tensor> correct =
        replicator.run(
            (ctx, r) -> {
              Tensor logits = model.call(images.get(r), false).logits();
              return Tensor.scalar((double) Losses.correctCount(logits, labels.get(r)));
            },
            PerReplica.of(indices(n)));
    return replicator.reduce(ReduceOp.SUM, correct).item() / total;
  }

  private static Integer[] indices(int n) {
    Integer[] out = new Integer[n];
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    return out;
  }

  private static Tensor images(LabeledImages set, int from, int n) {
    return Tensor.of(set.scaledPixels(from, n), n, set.height(), set.width(), 1);
  }

  private static Tensor labels(LabeledImages set, int from, int n) {
    return Tensor.of(set.labels(from, n), n);
  }
}
