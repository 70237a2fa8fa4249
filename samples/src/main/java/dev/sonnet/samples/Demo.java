package dev.sonnet.samples;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.Backends;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * The smallest end-to-end program: fits {@code y = sin(3x)} with a two-layer MLP written directly
 * against tensors, variables and the gradient tape, and prints the loss as it falls.
 *
 * <p>It is the README's first command until the Fashion-MNIST job lands.
 */
public final class Demo {
  private static final int POINTS = 256;
  private static final int HIDDEN = 64;
  private static final int STEPS = 2000;
  private static final double LEARNING_RATE = 0.1;

  private Demo() {}

  public static void main(String[] args) {
    System.out.println("Backend: " + Backends.getDefault().deviceName());
    Rng rng = new Rng(42);
    Tensor x = Tensor.arange(DType.FLOAT32, -1, 1, 2.0 / POINTS).reshape(POINTS, 1);
    Tensor y = x.mul(3.0).sin();

    Variable w1 =
        new Variable(
            "mlp/linear/w",
            Tensor.truncatedNormal(rng, DType.FLOAT32, Shape.of(1, HIDDEN), 0, 1.0),
            true);
    Variable b1 = new Variable("mlp/linear/b", Tensor.zeros(DType.FLOAT32, HIDDEN), true);
    Variable w2 =
        new Variable(
            "mlp/linear_1/w",
            Tensor.truncatedNormal(
                rng, DType.FLOAT32, Shape.of(HIDDEN, 1), 0, 1 / Math.sqrt(HIDDEN)),
            true);
    Variable b2 = new Variable("mlp/linear_1/b", Tensor.zeros(DType.FLOAT32, 1), true);
    List<Variable> params = List.of(w1, b1, w2, b2);

    long start = System.nanoTime();
    double loss = Double.NaN;
    for (int step = 0; step <= STEPS; step++) {
      List<Tensor> grads;
      try (GradientTape tape = GradientTape.open()) {
        Tensor hidden = x.matmul(w1).add(b1).tanh();
        Tensor lossTensor = hidden.matmul(w2).add(b2).sub(y).square().mean();
        grads = tape.gradient(lossTensor, params);
        loss = lossTensor.item();
      }
      for (int i = 0; i < params.size(); i++) {
        params.get(i).assignSub(grads.get(i).mul(LEARNING_RATE));
      }
      if (step % 250 == 0) {
        System.out.printf("step %4d  loss %.6f%n", step, loss);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%d steps in %.2f s (%.0f steps/s)%n", STEPS, seconds, STEPS / seconds);
    System.out.printf("final_loss=%.6f%n", loss);
  }
}
