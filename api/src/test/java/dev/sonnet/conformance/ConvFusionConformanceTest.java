package dev.sonnet.conformance;

import static dev.sonnet.conformance.FusionTesting.normal;
import static dev.sonnet.conformance.FusionTesting.opsRunBy;
import static dev.sonnet.conformance.FusionTesting.unfused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.ops.ConvOptions;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.Fusion;
import dev.sonnet.ops.Padding;
import dev.sonnet.tensor.DType;
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
      out.add(r.toFloatArray());
    }
    return out;
  }

  /**
   * The bias gradients of the fused and the unfused path: each a float sum of the same {@code rows}
   * values {@code dz[., c]} (the masked upstream {@code r}) in its own order, so each is within
   * {@code rows * 2^-24 * sum |dz[., c]|} of the exact sum, and they are within twice that of each
   * other; {@code sum |r[., c]|} bounds {@code sum |dz[., c]|}.
   */
  private static void assertBiasGradientsClose(
      float[] fused, float[] plain, float[] r, int channels, String what) {
    int rows = r.length / channels;
    for (int c = 0; c < channels; c++) {
      double abs = 0;
      for (int i = 0; i < rows; i++) {
        abs += Math.abs(r[i * channels + c]);
      }
      double tol = 2.0 * (rows + 1) * Math.scalb(1.0, -24) * abs;
      assertThat((double) fused[c])
          .as("%s bias gradient %d", what, c)
          .isCloseTo(plain[c], org.assertj.core.data.Offset.offset(tol));
    }
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
          String what = c[0] + "->" + c[1] + " " + options + " " + act;
          // y, dx, dw: bit for bit; db: the same sum in another order (ReluBiasGradOp).
          for (int i = 0; i < 3; i++) {
            assertThat(fused.get(i)).as("%s output/gradient %d", what, i).isEqualTo(plain.get(i));
          }
          assertBiasGradientsClose(fused.get(3), plain.get(3), fused.get(4), c[1], what);
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
    List<Variable> params = model.trainableVariables();
    for (int i = 0; i < fused.size(); i++) {
      if (i > 0 && params.get(i - 1).shape().rank() == 1) {
        // A bias gradient: summed in another order after a fused ReLU (bounded in the test
        // above); here only the wiring is checked, at a relative 1e-5.
        float[] f = fused.get(i);
        float[] p = plain.get(i);
        for (int c = 0; c < f.length; c++) {
          assertThat(f[c])
              .as("bias gradient %d[%d]", i, c)
              .isCloseTo(
                  p[c], org.assertj.core.data.Offset.offset(1e-5f * Math.max(1, Math.abs(p[c]))));
        }
      } else {
        assertThat(fused.get(i)).as("output/gradient %d", i).isEqualTo(plain.get(i));
      }
    }
  }

  @Test
  void reluBiasGradient_isSecondOrderDifferentiable() {
    // d/dx of sum(d loss / d b): through ReluBiasGradOp's own gradient, against finite differences.
    Tensor w = GradientCheck.uniform(2, -1, 1, 3, 3, 2, 3);
    Tensor b = GradientCheck.uniform(3, -0.5, 0.5, 3);
    GradientCheck.check(
        t -> {
          try (GradientTape inner = GradientTape.open()) {
            inner.watch(t[1]);
            Tensor y = Convolution.conv(t[0], w, t[1], ConvOptions.DEFAULT, Activation.RELU);
            Tensor db = inner.gradient(y.square().sum(), List.of(t[1])).get(0);
            return db.square().sum().reshape(1);
          }
        },
        GradientCheck.uniform(1, -1, 1, 1, 4, 4, 2),
        b);
  }

  @Test
  void convInputGradient_isComputedOnlyWhenWanted() {
    Tensor x = normal(1, DType.FLOAT32, 2, 6, 6, 3);
    Variable w = new Variable("w", normal(2, DType.FLOAT32, 3, 3, 3, 4), true);
    for (boolean fusion : new boolean[] {true, false}) {
      Fusion.setEnabled(fusion);
      for (boolean watchX : new boolean[] {false, true}) {
        List<String> forward;
        List<String> names;
        try (GradientTape tape = GradientTape.open()) {
          if (watchX) {
            tape.watch(x);
          }
          Tensor[] loss = new Tensor[1];
          forward =
              opsRunBy(
                  () ->
                      loss[0] =
                          Convolution.conv(x, w, null, ConvOptions.DEFAULT, Activation.RELU)
                              .square()
                              .sum());
          names =
              opsRunBy(
                  () ->
                      assertThat(tape.gradient(loss[0], List.of(w)).get(0).shape())
                          .isEqualTo(w.shape()));
        }
        // Else this would compare the unfused ops with themselves.
        assertThat(forward.contains("fused_conv2d_relu"))
            .as("forward %s", forward)
            .isEqualTo(fusion);
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
