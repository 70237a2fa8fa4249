package dev.sonnet.samples.bench;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.losses.Losses;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Flatten;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.Convolution;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmarked models, written as a user writes them (the same models as {@code baseline.py}'s
 * {@code torch.nn} ones): {@link Sequential} of {@link Linear} layers and {@link Layers#relu()} (or
 * {@link Conv2D} and max-pooling for the ConvNet), {@link Losses#softmaxCrossEntropy} against
 * integer labels, and the {@link SGD} optimizer, each step on a tape in a {@link TensorScope}.
 * Whatever fusion the library applies ({@code Linear} + {@code relu} as one product, the one-pass
 * optimizer step) comes from these calls; {@code -Dsonnet.fusion=false} measures the unfused ops.
 * Inputs and labels are random: a step's cost does not depend on the values.
 */
final class TrainSteps {
  /** SGD's learning rate; small enough that random data does not blow the weights up. */
  static final double LEARNING_RATE = 0.01;

  private final Module model;
  private final SGD sgd = new SGD(LEARNING_RATE);
  private final Tensor x;
  private final Tensor labels;
  private List<Variable> params;
  private boolean watchInput;

  private TrainSteps(Module model, Tensor x, Tensor labels) {
    this.model = model;
    this.x = x;
    this.labels = labels;
  }

  /** An MLP {@code sizes[0] -> ... -> sizes[last]} with ReLU between layers. */
  static TrainSteps mlp(int batch, int... sizes) {
    Rng rng = new Rng(4);
    List<Layer> layers = new ArrayList<>();
    for (int i = 1; i < sizes.length; i++) {
      layers.add(new Linear(sizes[i]));
      if (i + 1 < sizes.length) {
        layers.add(Layers.relu());
      }
    }
    return new TrainSteps(
        new Sequential(layers),
        Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(batch, sizes[0]), 0, 1),
        labels(rng, batch, sizes[sizes.length - 1]));
  }

  /**
   * The small ConvNet on 28x28 grey images, batch 64: conv 3x3 1->16, ReLU, max-pool 2, conv 3x3
   * 16->32, ReLU, max-pool 2, dense 7*7*32 -> 10.
   */
  static TrainSteps convNet(int batch) {
    Rng rng = new Rng(5);
    Layer pool = Layers.named("max_pool_2x2", h -> Convolution.maxPool(h, new int[] {2, 2}));
    Sequential model =
        new Sequential(
            List.of(
                new Conv2D(16, 3),
                Layers.relu(),
                pool,
                new Conv2D(32, 3),
                Layers.relu(),
                pool,
                new Flatten(),
                new Linear(10)));
    return new TrainSteps(
        model,
        Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(batch, 28, 28, 1), 0, 1),
        labels(rng, batch, 10));
  }

  /**
   * Makes the tape track the input batch too, so the first layer computes its input gradient: what
   * every step did before the tape told ops which gradients it wants (an A/B baseline, {@code
   * TrainBench}'s {@code inputGradient}); the parameters' gradients are the same.
   */
  TrainSteps watchingInput(boolean watch) {
    this.watchInput = watch;
    return this;
  }

  private static Tensor labels(Rng rng, int batch, int classes) {
    int[] y = new int[batch];
    double[] picks =
        Tensor.randomUniform(rng, DType.FLOAT64, Shape.of(batch), 0, classes).toDoubleArray();
    for (int i = 0; i < batch; i++) {
      y[i] = Math.min(classes - 1, (int) picks[i]);
    }
    return Tensor.of(y, batch);
  }

  /**
   * One training step: forward, loss, gradients, SGD update, in a {@link TensorScope} so that the
   * step's tensors are freed at its end and the next step reuses their memory (as PyTorch's
   * reference counts free them). Returns the loss.
   */
  float step() {
    try (TensorScope scope = TensorScope.open()) {
      List<Tensor> grads;
      Tensor loss;
      try (GradientTape tape = GradientTape.open()) {
        if (watchInput) {
          tape.watch(x);
        }
        loss = Losses.softmaxCrossEntropy(((Layer) model).call(x), labels);
        if (params == null) {
          params = model.trainableVariables(); // known once the first call has built the model
        }
        grads = tape.gradient(loss, params);
      }
      sgd.apply(grads, params);
      return loss.floatValue();
    }
  }
}
