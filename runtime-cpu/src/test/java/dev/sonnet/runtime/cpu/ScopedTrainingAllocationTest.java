package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.losses.Losses;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Linear;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A training step run in a {@link TensorScope} reuses last step's memory: its heap allocation is
 * the bookkeeping of the step (tensor handles, tape records, label checks), not the data. Guards
 * the promise that the safety added around variables (values read on other threads are never freed)
 * and the label checks leave a single-threaded step as cheap as before.
 *
 * <p>It runs in a JVM of its own (the {@code allocation} surefire execution), as a training program
 * does. In the JVM that had just run the whole suite, this step was seen allocating from 5.7 MB to
 * 913 MB on the calling thread, while a fresh JVM measures about 110 KB; the cause is not yet
 * known, and finding it is open work.
 */
class ScopedTrainingAllocationTest {

  @Test
  void aScopedSgdStep_allocatesKilobytes_notItsTensors() {
    Sequential model =
        Sequential.of(
            new Linear(1024),
            Layers.relu(),
            new Linear(1024),
            Layers.relu(),
            new Linear(10)); // the main job's MLP;
    Rng rng = new Rng(7);
    Tensor x = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(100, 784), 0, 1);
    int[] y = new int[100];
    for (int i = 0; i < y.length; i++) {
      y[i] = i % 10;
    }
    Tensor labels = Tensor.of(y, 100);
    SGD sgd = new SGD(0.01);
    model.call(x);
    List<Variable> params = model.trainableVariables();

    for (int i = 0; i < 30; i++) { // warm-up: JIT, per-thread caches, the shared pool
      step(model, sgd, params, x, labels);
    }
    ThreadMXBean bean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().threadId();
    int steps = 20;
    long before = bean.getThreadAllocatedBytes(tid);
    for (int i = 0; i < steps; i++) {
      step(model, sgd, params, x, labels);
    }
    long perStep = (bean.getThreadAllocatedBytes(tid) - before) / steps;

    // The step's tensors: activations, their gradients, the weights' gradients and new values,
    // about 22 MB of floats, all from reused arrays; the new weights alone are 7.4 MB. What is
    // left is bookkeeping: tensor handles, tape nodes, the label check, a few hundred objects of
    // tens of bytes (about 110 KB measured on a 2-core EPYC). 512 KB leaves room for JIT and
    // collector differences between machines while failing on any unreused tensor above 0.5 MB.
    assertThat(perStep)
        .as("bytes allocated per scoped step on the calling thread")
        .isLessThan(512 * 1024);
  }

  private static void step(
      Sequential model, SGD sgd, List<Variable> params, Tensor x, Tensor labels) {
    try (TensorScope scope = TensorScope.open();
        GradientTape tape = GradientTape.open()) {
      Tensor loss = Losses.softmaxCrossEntropy(model.call(x), labels);
      sgd.apply(tape.gradient(loss, params), params);
    }
  }
}
