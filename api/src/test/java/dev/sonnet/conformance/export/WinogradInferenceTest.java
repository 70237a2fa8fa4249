package dev.sonnet.conformance.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.conformance.GradientCheck;
import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.GraphOp;
import dev.sonnet.export.Node;
import dev.sonnet.export.TensorFunction;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.export.Tracing;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.WinogradConvOp;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inference optimizer's Winograd pass: which convolutions it rewrites, the cached filter
 * transform against variable assignment, the results against eager (direct) convolution within the
 * algorithm's rounding bound, the transform itself, and the op's gradient. On a runtime without the
 * kernel (OpenCL) the rewritten node is the fused direct convolution, so the same bounds hold with
 * room to spare.
 *
 * <p>Tolerance, per element. The Winograd result is within {@code (C + 16) · 2⁻²⁴} times {@code M}
 * of the exact convolution, {@code M} being the algorithm run on absolute values (2 roundings in
 * the input transform, 8 in the filter transform's nine-term sums, {@code C} in the accumulation, 4
 * in the output transform, 1 for the bias, and the γ denominators); summing the absolute transform
 * coefficients that multiply each {@code |x| |w|} pair (at most 8 per axis) gives {@code M <= 64 C
 * · max|x| · max|w|}. The eager direct convolution is within {@code 9C · 2⁻²⁴ · S} with {@code S =
 * Σ |x| |w|} per output (computed by convolving {@code |x|} with {@code |w|}). Their difference is
 * within the sum of the two, plus {@code 2⁻²⁴ |bias|}. The runtime's own kernel test checks the
 * tighter per-element bound; this one catches a wrong rewrite, a stale transform or a lost bias,
 * whose errors are of the order of the outputs.
 */
class WinogradInferenceTest {
  private static final double UNIT = Math.scalb(1.0, -24);

  private static long count(List<Node> nodes, Class<? extends GraphOp> kind) {
    return nodes.stream().filter(n -> kind.isInstance(n.op())).count();
  }

  private static void assertWithinBound(Tensor got, Tensor want, Tensor x, Tensor w, Tensor bias) {
    int c = w.dim(2);
    double[] s = Convolution.conv(x.abs(), w.abs()).toDoubleArray();
    double winograd =
        (c + 16)
            * UNIT
            * 64.0
            * c
            * x.abs().max().toDoubleArray()[0]
            * w.abs().max().toDoubleArray()[0];
    double[] g = got.toDoubleArray();
    double[] e = want.toDoubleArray();
    double[] b = bias == null ? null : bias.abs().toDoubleArray();
    int o = w.dim(3);
    assertThat(got.shape()).isEqualTo(want.shape());
    for (int i = 0; i < g.length; i++) {
      double tol =
          winograd
              + 1.001 * 9 * c * UNIT * s[i]
              + (b == null ? 0 : UNIT * b[i % o])
              + Float.MIN_NORMAL;
      assertThat(g[i])
          .as("element %d of %s", i, want.shape())
          .isCloseTo(e[i], org.assertj.core.data.Offset.offset(tol));
    }
  }

  @Test
  void optimizer_rewritesThreeByThreeStrideOneConvs_only() {
    Sequential net =
        new Sequential(
            List.of(
                Conv2D.builder(16, 3).build(),
                Layers.relu(),
                Conv2D.builder(16, 3).stride(2).build(),
                Conv2D.builder(16, 5).build()));
    GraphFunction f =
        Tracing.trace(TensorFunction.of(net::call), TensorSpec.of(DType.FLOAT32, -1, 9, 9, 8));
    List<Node> nodes = f.optimizedGraph().nodes();
    assertThat(count(nodes, GraphOp.WinogradConv.class)).isEqualTo(1);
    assertThat(count(nodes, GraphOp.WinogradFilter.class)).isEqualTo(1);
    assertThat(count(nodes, GraphOp.FusedConv.class)).as("stride 2 and 5x5").isEqualTo(2);
    GraphOp.WinogradConv wc =
        (GraphOp.WinogradConv)
            nodes.stream()
                .map(Node::op)
                .filter(GraphOp.WinogradConv.class::isInstance)
                .findFirst()
                .orElseThrow();
    assertThat(wc.hasBias()).isTrue();
    assertThat(wc.activation()).isEqualTo(UnaryKind.RELU);
    // The traced graph (what is saved and exported) never holds the inference-only ops.
    assertThat(count(f.graph().nodes(), GraphOp.WinogradConv.class)).isZero();
  }

  @Test
  void sharedFilter_isTransformedOnce() {
    Conv2D conv = Conv2D.builder(16, 3).build();
    GraphFunction f =
        Tracing.trace(
            in -> new Tensor[] {conv.call(conv.call(in[0]).relu())},
            TensorSpec.of(DType.FLOAT32, -1, 6, 6, 16));
    List<Node> nodes = f.optimizedGraph().nodes();
    assertThat(count(nodes, GraphOp.WinogradConv.class)).isEqualTo(2);
    assertThat(count(nodes, GraphOp.WinogradFilter.class)).isEqualTo(1);
    Tensor x = TracingTest.input(5, 3, 6, 6, 16);
    Tensor got = f.call(x);
    Tensor want = conv.call(conv.call(x).relu());
    // Two layers: the first layer's error (bounded as in the class comment, a few 1e-6 here) moves
    // the second layer's input by at most that much times Σ|w| over a window (< 20 for these
    // weights); 1e-4 absolute leaves a wide margin and is far below a wrong transform's error.
    Expect.close(got, want, 1e-4);
  }

  @Test
  void loadedConv_matchesEagerWithinTheBound_atSeveralShapesAndBatchSizes() {
    int[][] shapes = {{9, 7, 8}, {14, 14, 32}, {5, 6, 19}, {2, 3, 16}};
    int seed = 0;
    for (int[] s : shapes) {
      for (boolean relu : new boolean[] {false, true}) {
        Conv2D conv = Conv2D.builder(relu ? 16 : 48, 3).build();
        GraphFunction f =
            Tracing.trace(
                in -> new Tensor[] {relu ? conv.call(in[0]).relu() : conv.call(in[0])},
                TensorSpec.of(DType.FLOAT32, -1, s[0], s[1], s[2]));
        assertThat(count(f.optimizedGraph().nodes(), GraphOp.WinogradConv.class)).isEqualTo(1);
        for (int batch : new int[] {1, 3}) {
          Tensor x = TracingTest.input(seed++, batch, s[0], s[1], s[2]);
          Tensor want = relu ? conv.call(x).relu() : conv.call(x);
          assertWithinBound(f.call(x), want, x, conv.w().read(), conv.b().read());
        }
      }
    }
  }

  @Test
  void cachedTransform_followsAssignmentsToTheFilter() {
    Conv2D conv = Conv2D.builder(16, 3).build();
    GraphFunction f =
        Tracing.trace(
            in -> new Tensor[] {conv.call(in[0])}, TensorSpec.of(DType.FLOAT32, -1, 6, 6, 8));
    Tensor x = TracingTest.input(11, 2, 6, 6, 8);
    assertWithinBound(f.call(x), conv.call(x), x, conv.w().read(), conv.b().read());
    conv.w().assign(conv.w().read().mul(-3.0).add(0.25));
    Tensor again = f.call(x);
    assertWithinBound(again, conv.call(x), x, conv.w().read(), conv.b().read());
  }

  @Test
  void transformFilter_isGwGTransposed() {
    Tensor w = TracingTest.input(21, 3, 3, 5, 7);
    double[] u = WinogradConvOp.transformFilter(w).toDoubleArray();
    double[] wv = w.toDoubleArray();
    double[][] g = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        for (int ch = 0; ch < 5; ch++) {
          for (int o = 0; o < 7; o++) {
            double exact = 0;
            double magnitude = 0;
            for (int a = 0; a < 3; a++) {
              for (int b = 0; b < 3; b++) {
                double term = g[i][a] * g[j][b] * wv[((a * 3 + b) * 5 + ch) * 7 + o];
                exact += term;
                magnitude += Math.abs(term);
              }
            }
            // A float sum of nine exact products (powers of two times w): 9 roundings at most.
            assertThat(u[((4 * i + j) * 5 + ch) * 7 + o])
                .isCloseTo(exact, org.assertj.core.data.Offset.offset(10 * UNIT * magnitude));
          }
        }
      }
    }
    assertThatThrownBy(() -> WinogradConvOp.transformFilter(TracingTest.input(1, 5, 5, 2, 2)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("winograd_filter")
        .hasMessageContaining("[5, 5, 2, 2]");
  }

  @Test
  void op_rejectsATransformedFilterOfTheWrongShape() {
    ConvParams params =
        new ConvParams(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
    WinogradConvOp op = new WinogradConvOp(params, false, null);
    Tensor x = TracingTest.input(1, 1, 4, 4, 8);
    Tensor w = TracingTest.input(2, 3, 3, 8, 16);
    Tensor wrongU = TracingTest.input(3, 16, 16, 8);
    assertThatThrownBy(() -> Dispatch.run1(op, x, w, wrongU))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("winograd_conv")
        .hasMessageContaining("[16, 8, 16]")
        .hasMessageContaining("[16, 16, 8]");
    assertThatThrownBy(
            () ->
                new WinogradConvOp(
                    new ConvParams(
                        new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1),
                    false,
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stride 1");
  }

  /**
   * The op's gradient is the fused convolution's for {@code x}, {@code w} and the bias, zero for
   * {@code u}: in float64 (which no runtime computes by Winograd) the output does not depend on
   * {@code u}, so finite differences see exactly that.
   */
  @Test
  void op_gradientMatchesFiniteDifferences() {
    ConvParams params =
        new ConvParams(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 0}, new int[] {1, 1}, 1);
    for (UnaryKind act : new UnaryKind[] {null, UnaryKind.TANH}) {
      WinogradConvOp op = new WinogradConvOp(params, true, act);
      Tensor x = GradientCheck.uniform(6, -1, 1, 2, 4, 3, 2);
      Tensor w = GradientCheck.uniform(7, -1, 1, 3, 3, 2, 3);
      Tensor u = GradientCheck.uniform(9, -1, 1, 16, 2, 3);
      Tensor b = GradientCheck.uniform(8, -1, 1, 3);
      GradientCheck.check(in -> Dispatch.run1(op, in), x, w, u, b);
    }
  }

  /** Under a tape the loaded function's gradients are those of the eager model. */
  @Test
  void underAGradientTape_variablesGetTheEagerGradients() {
    Conv2D conv = Conv2D.builder(16, 3).build();
    GraphFunction f =
        Tracing.trace(
            in -> new Tensor[] {conv.call(in[0]).relu()},
            TensorSpec.of(DType.FLOAT32, -1, 6, 6, 8));
    Tensor x = TracingTest.input(31, 2, 6, 6, 8);
    List<Tensor> graphGrads;
    List<Tensor> eagerGrads;
    try (GradientTape tape = GradientTape.open()) {
      graphGrads = tape.gradient(f.call(x).square().sum(), conv.trainableVariables());
    }
    try (GradientTape tape = GradientTape.open()) {
      eagerGrads = tape.gradient(conv.call(x).relu().square().sum(), conv.trainableVariables());
    }
    for (int i = 0; i < eagerGrads.size(); i++) {
      // The gradient products are the direct convolution's; the forward values they start from
      // differ by the Winograd rounding (a few 1e-6 here), and sums of 72 O(1) terms: 1e-4
      // relative is ample and far below a wrong gradient.
      Expect.close(graphGrads.get(i), eagerGrads.get(i), 1e-4);
    }
  }
}
