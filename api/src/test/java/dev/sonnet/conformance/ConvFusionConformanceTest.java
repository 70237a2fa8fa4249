package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.ops.ConvOptions;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.Fusion;
import dev.sonnet.ops.Op;
import dev.sonnet.ops.OpRecorder;
import dev.sonnet.ops.Padding;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fused convolution of training ({@link Convolution#conv(dev.sonnet.tensor.Operand,
 * dev.sonnet.tensor.Operand, dev.sonnet.tensor.Operand, ConvOptions, Activation)}, and {@code
 * Conv2D} followed by a ReLU in a {@link Sequential}) against its unfused ops ({@link Fusion} off),
 * on whatever backend runs the suite. The fused op sums the same products in the same kernel, then
 * does the same float add and {@code max(., 0)}, and its gradient dispatches the same ops, so
 * values and gradients are compared bit for bit; its gradient is also checked against float64
 * finite differences. Also: a convolution's input gradient is not computed when nothing wants it.
 */
class ConvFusionConformanceTest {

  @AfterEach
  void restoreFusion() {
    Fusion.setEnabled(true);
  }

  private static <T> T unfused(Supplier<T> body) {
    Fusion.setEnabled(false);
    try {
      return body.get();
    } finally {
      Fusion.setEnabled(true);
    }
  }

  private static Tensor normal(long seed, DType dtype, int... shape) {
    return Tensor.randomNormal(new Rng(seed), dtype, Shape.of(shape), 0, 1);
  }

  /** The output and the gradients of {@code sum(conv(x, w, b) * r)} for x, w and b. */
  private static List<float[]> valueAndGradients(
      Tensor x, Tensor w, Tensor b, ConvOptions options, Activation act) {
    List<float[]> out = new ArrayList<>();
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x, w, b);
      Tensor y = Convolution.conv(x, w, b, options, act);
      Tensor r = normal(99, DType.FLOAT32, y.shape().dims());
      List<Tensor> grads = tape.gradient(y.mul(r).sum(), List.of(x, w, b));
      out.add(y.toFloatArray());
      for (Tensor g : grads) {
        out.add(g.toFloatArray());
      }
    }
    return out;
  }

  @Test
  void convBiasRelu_isBitForBitTheUnfusedOps_valueAndGradients() {
    ConvOptions same = ConvOptions.DEFAULT;
    ConvOptions strided = ConvOptions.DEFAULT.withStride(2).withPadding(Padding.VALID);
    // {channels, outChannels}: a first layer (1 -> 16), whole vectors (16 -> 32), ragged (5 -> 7,
    // 3 -> 20) and few outputs (32 -> 3, which the CPU computes with input channels along lanes).
    int[][] channels = {{1, 16}, {16, 32}, {5, 7}, {3, 20}, {32, 3}};
    int seed = 0;
    for (int[] c : channels) {
      for (ConvOptions options : List.of(same, strided)) {
        Tensor x = normal(++seed, DType.FLOAT32, 3, 9, 11, c[0]);
        Tensor w = normal(++seed, DType.FLOAT32, 3, 3, c[0], c[1]);
        Tensor b = normal(++seed, DType.FLOAT32, c[1]);
        for (Activation act : Activation.values()) {
          List<float[]> fused = valueAndGradients(x, w, b, options, act);
          List<float[]> plain = unfused(() -> valueAndGradients(x, w, b, options, act));
          for (int i = 0; i < fused.size(); i++) {
            assertThat(fused.get(i))
                .as("%d->%d %s %s output/gradient %d", c[0], c[1], options, act, i)
                .isEqualTo(plain.get(i));
          }
        }
      }
    }
  }

  @Test
  void convReluWithoutBias_isBitForBitTheUnfusedOps() {
    Tensor x = normal(1, DType.FLOAT32, 2, 8, 8, 4);
    Tensor w = normal(2, DType.FLOAT32, 3, 3, 4, 16);
    Supplier<float[]> f =
        () -> Convolution.conv(x, w, null, ConvOptions.DEFAULT, Activation.RELU).toFloatArray();
    assertThat(f.get()).isEqualTo(unfused(f));
  }

  @Test
  void convBiasRelu_gradientMatchesFiniteDifferences() {
    // Values away from the ReLU's kink: with these seeds no pre-activation lies within 1e-3 of 0.
    Tensor x = GradientCheck.uniform(1, -1, 1, 2, 5, 4, 3);
    Tensor w = GradientCheck.uniform(2, -1, 1, 3, 3, 3, 4);
    Tensor b = GradientCheck.uniform(3, -0.5, 0.5, 4);
    GradientCheck.check(
        t -> Convolution.conv(t[0], t[1], t[2], ConvOptions.DEFAULT, Activation.RELU), x, w, b);
  }

  @Test
  void conv2dThenRelu_inSequential_isBitForBitTheUnfusedLayers() {
    Tensor x = normal(7, DType.FLOAT32, 4, 10, 10, 2);
    // One model (one set of initial weights), called fused and unfused.
    Sequential model = new Sequential(List.of(new Conv2D(16, 3), Layers.relu(), new Conv2D(8, 3)));
    Supplier<List<float[]>> run =
        () -> {
          List<float[]> out = new ArrayList<>();
          try (GradientTape tape = GradientTape.open()) {
            Tensor y = model.call(x);
            List<Variable> params = model.trainableVariables();
            List<Tensor> grads = tape.gradient(y.square().sum(), params);
            out.add(y.toFloatArray());
            for (Tensor g : grads) {
              out.add(g.toFloatArray());
            }
          }
          return out;
        };
    List<float[]> fused = run.get();
    List<float[]> plain = unfused(run);
    assertThat(fused).hasSize(5);
    for (int i = 0; i < fused.size(); i++) {
      assertThat(fused.get(i)).as("output/gradient %d", i).isEqualTo(plain.get(i));
    }
  }

  @Test
  void convInputGradient_isComputedOnlyWhenWanted() {
    Tensor x = normal(1, DType.FLOAT32, 2, 6, 6, 3);
    Variable w = new Variable("w", normal(2, DType.FLOAT32, 3, 3, 3, 4), true);
    for (boolean fusion : new boolean[] {true, false}) {
      Fusion.setEnabled(fusion);
      for (boolean watchX : new boolean[] {false, true}) {
        List<String> names = new ArrayList<>();
        OpRecorder recorder =
            new OpRecorder() {
              @Override
              public void record(Op op, Tensor[] inputs, Tensor[] outputs) {
                names.add(op.name());
              }

              @Override
              public void recordRead(Variable variable, Tensor value) {}
            };
        try (GradientTape tape = GradientTape.open()) {
          if (watchX) {
            tape.watch(x);
          }
          Tensor loss =
              Convolution.conv(x, w, null, ConvOptions.DEFAULT, Activation.RELU).square().sum();
          Dispatch.push(recorder);
          try {
            List<Tensor> g = tape.gradient(loss, List.of(w));
            assertThat(g.get(0).shape()).isEqualTo(w.shape());
          } finally {
            Dispatch.pop(recorder);
          }
        }
        assertThat(names.contains("conv2d_backprop_input"))
            .as("fusion %s, x watched %s: %s", fusion, watchX, names)
            .isEqualTo(watchX);
        assertThat(names)
            .as("fusion %s, x watched %s", fusion, watchX)
            .contains("conv2d_backprop_filter");
      }
    }
  }
}
