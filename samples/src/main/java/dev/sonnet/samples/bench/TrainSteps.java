package dev.sonnet.samples.bench;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.ops.Convolution;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmarked models, written with tensors, variables and a tape (the same models as {@code
 * baseline.py}'s): dense layers {@code relu(x W + b)}, softmax cross-entropy against one-hot
 * labels, and plain SGD ({@code v -= lr * g}). Inputs and labels are random: a step's cost does not
 * depend on the values.
 */
final class TrainSteps {
  /** SGD's learning rate; small enough that random data does not blow the weights up. */
  static final double LEARNING_RATE = 0.01;

  private final List<Variable> params = new ArrayList<>();
  private final Tensor x;
  private final Tensor labels;
  private final boolean conv;
  private final int batch;

  private TrainSteps(Tensor x, Tensor labels, boolean conv) {
    this.x = x;
    this.labels = labels;
    this.conv = conv;
    this.batch = x.dim(0);
  }

  /** An MLP {@code sizes[0] -> ... -> sizes[last]} with ReLU between layers. */
  static TrainSteps mlp(int batch, int... sizes) {
    Rng rng = new Rng(4);
    int classes = sizes[sizes.length - 1];
    TrainSteps t =
        new TrainSteps(
            Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(batch, sizes[0]), 0, 1),
            oneHot(rng, batch, classes),
            false);
    for (int i = 0; i + 1 < sizes.length; i++) {
      t.dense(rng, "linear_" + i, sizes[i], sizes[i + 1]);
    }
    return t;
  }

  /**
   * The small ConvNet on 28x28 grey images, batch 64: conv 3x3 1->16, ReLU, max-pool 2, conv 3x3
   * 16->32, ReLU, max-pool 2, dense 7*7*32 -> 10.
   */
  static TrainSteps convNet(int batch) {
    Rng rng = new Rng(5);
    TrainSteps t =
        new TrainSteps(
            Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(batch, 28, 28, 1), 0, 1),
            oneHot(rng, batch, 10),
            true);
    t.params.add(
        new Variable(
            "conv_0/w",
            Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(3, 3, 1, 16), 0, Math.sqrt(2.0 / 9)),
            true));
    t.params.add(new Variable("conv_0/b", Tensor.zeros(DType.FLOAT32, 16), true));
    t.params.add(
        new Variable(
            "conv_1/w",
            Tensor.randomNormal(
                rng, DType.FLOAT32, Shape.of(3, 3, 16, 32), 0, Math.sqrt(2.0 / 144)),
            true));
    t.params.add(new Variable("conv_1/b", Tensor.zeros(DType.FLOAT32, 32), true));
    t.dense(rng, "linear", 7 * 7 * 32, 10);
    return t;
  }

  private void dense(Rng rng, String name, int in, int out) {
    params.add(
        new Variable(
            name + "/w",
            Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(in, out), 0, Math.sqrt(2.0 / in)),
            true));
    params.add(new Variable(name + "/b", Tensor.zeros(DType.FLOAT32, out), true));
  }

  private static Tensor oneHot(Rng rng, int batch, int classes) {
    float[] y = new float[batch * classes];
    Tensor u = Tensor.randomUniform(rng, DType.FLOAT64, Shape.of(batch), 0, classes);
    double[] picks = u.toDoubleArray();
    for (int i = 0; i < batch; i++) {
      y[i * classes + Math.min(classes - 1, (int) picks[i])] = 1f;
    }
    return Tensor.of(y, batch, classes);
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
        Tensor logits = conv ? convLogits() : mlpLogits();
        loss = logits.logSoftmax(1).mul(labels).sum().mul(-1.0 / batch);
        grads = tape.gradient(loss, params);
      }
      for (int i = 0; i < params.size(); i++) {
        params.get(i).assignSub(grads.get(i).mul(LEARNING_RATE));
      }
      return loss.floatValue();
    }
  }

  private Tensor mlpLogits() {
    Tensor h = x;
    int layers = params.size() / 2;
    for (int i = 0; i < layers; i++) {
      h = h.matmul(params.get(2 * i)).add(params.get(2 * i + 1));
      if (i + 1 < layers) {
        h = h.relu();
      }
    }
    return h;
  }

  private Tensor convLogits() {
    int[] pool = {2, 2};
    Tensor h = Convolution.conv(x, params.get(0)).add(params.get(1)).relu();
    h = Convolution.maxPool(h, pool);
    h = Convolution.conv(h, params.get(2)).add(params.get(3)).relu();
    h = Convolution.maxPool(h, pool);
    h = h.reshape(batch, 7 * 7 * 32);
    return h.matmul(params.get(4)).add(params.get(5));
  }
}
