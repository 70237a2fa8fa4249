package dev.sonnet.conformance.export;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.sonnet.nn.Flatten;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.ConvMaxPoolOp;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.FusedConvOp;
import dev.sonnet.ops.PoolOptions;
import dev.sonnet.ops.WinogradConvOp;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inference optimizer's pooling pass: a convolution followed by a 2x2, stride-2 max pooling
 * becomes one {@link ConvMaxPoolOp}, which on the CPU writes only the pooled output. It promises
 * the bits of the two ops, so those comparisons are exact; against eager mode the Winograd
 * convolutions bring their own rounding ({@link Expect#SAME_OPS}).
 */
class ConvMaxPoolInferenceTest {
  private static final ConvParams SAME =
      new ConvParams(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);

  private static long count(List<Node> nodes, Class<? extends GraphOp> kind) {
    return nodes.stream().filter(n -> kind.isInstance(n.op())).count();
  }

  /** Two blocks of 3x3 SAME convolution, ReLU and 2x2 max pooling, of the given widths. */
  private static List<dev.sonnet.module.Layer> convReluPoolTwice(int first, int second) {
    return List.of(
        Conv2D.builder(first, 3).build(),
        Layers.relu(),
        Layers.named("pool_1", x -> Convolution.maxPool(x, new int[] {2, 2})),
        Conv2D.builder(second, 3).build(),
        Layers.relu(),
        Layers.named("pool_2", x -> Convolution.maxPool(x, new int[] {2, 2})));
  }

  @Test
  void convNet_poolsInsideBothConvolutions_andMatchesEagerAndTheUnfusedGraph() {
    List<dev.sonnet.module.Layer> layers = new java.util.ArrayList<>(convReluPoolTwice(16, 32));
    layers.add(new Flatten());
    layers.add(Linear.builder(5).build());
    Sequential net = new Sequential(layers);
    GraphFunction f =
        Tracing.trace(TensorFunction.of(net::call), TensorSpec.of(DType.FLOAT32, -1, 12, 8, 1));
    List<Node> nodes = f.optimizedGraph().nodes();
    assertThat(count(nodes, GraphOp.ConvMaxPool.class)).isEqualTo(2);
    assertThat(count(nodes, GraphOp.Pool.class)).isZero();
    for (int batch : new int[] {1, 3}) {
      Tensor x = TracingTest.input(50 + batch, batch, 12, 8, 1);
      Expect.close(f.call(x), net.call(x), Expect.SAME_OPS);
      Expect.close(f.call(x), f.callUnoptimized(x)[0], Expect.SAME_OPS);
    }
  }

  @Test
  void poolingStaysSeparate_whereTheFusedOpWouldNotBeTheSame() {
    Conv2D conv = Conv2D.builder(8, 3).build();
    // Odd output sizes (a floor pooling drops a row), a strided pooling window, an average pooling,
    // and a convolution whose output is read twice.
    List<TensorFunction> functions =
        List.of(
            in -> new Tensor[] {Convolution.maxPool(conv.call(in[0]).relu(), new int[] {2, 2})},
            in ->
                new Tensor[] {
                  Convolution.maxPool(
                      conv.call(in[0]).relu(),
                      new int[] {2, 2},
                      PoolOptions.DEFAULT.withStride(1, 1))
                },
            in -> new Tensor[] {Convolution.avgPool(conv.call(in[0]).relu(), new int[] {2, 2})},
            in -> {
              Tensor y = conv.call(in[0]).relu();
              return new Tensor[] {Convolution.maxPool(y, new int[] {2, 2}).sum().add(y.sum())};
            });
    int[][] sizes = {{7, 6}, {6, 6}, {6, 6}, {6, 6}};
    for (int i = 0; i < functions.size(); i++) {
      GraphFunction f =
          Tracing.trace(
              functions.get(i), TensorSpec.of(DType.FLOAT32, -1, sizes[i][0], sizes[i][1], 2));
      assertThat(count(f.optimizedGraph().nodes(), GraphOp.ConvMaxPool.class))
          .as("function %d", i)
          .isZero();
      Tensor x = TracingTest.input(60 + i, 2, sizes[i][0], sizes[i][1], 2);
      Expect.close(f.call(x), functions.get(i).call(x)[0], Expect.SAME_OPS);
    }
  }

  /**
   * Bit for bit the convolution op followed by the pooling op, on this backend: with and without
   * bias and ReLU, and for a pointwise convolution over more channels than one depth block of the
   * product it runs as (which the pooled direct kernel must leave to that product).
   */
  @Test
  void op_isBitForBitTheConvolutionThenThePooling() {
    ConvParams pointwise =
        new ConvParams(new int[] {1, 1}, new int[] {1, 1}, new int[2], new int[2], 1);
    Tensor x1 = TracingTest.input(69, 2, 4, 6, 320);
    Tensor w1 = TracingTest.input(79, 1, 1, 320, 16);
    Tensor b1 = TracingTest.input(89, 16);
    Tensor unfused =
        Dispatch.run1(
            ConvMaxPoolOp.pool(),
            Dispatch.run1(new FusedConvOp(pointwise, true, UnaryKind.RELU), x1, w1, b1));
    assertThat(
            Dispatch.run1(new ConvMaxPoolOp(pointwise, true, UnaryKind.RELU, false), x1, w1, b1)
                .toFloatArray())
        .as("1x1 over 320 channels")
        .isEqualTo(unfused.toFloatArray());
    for (int c : new int[] {1, 3, 16}) {
      for (boolean relu : new boolean[] {false, true}) {
        UnaryKind act = relu ? UnaryKind.RELU : null;
        Tensor x = TracingTest.input(70 + c, 2, 10, 6, c);
        Tensor w = TracingTest.input(80 + c, 3, 3, c, 16);
        Tensor b = TracingTest.input(90 + c, 16);
        Tensor direct =
            Dispatch.run1(
                ConvMaxPoolOp.pool(), Dispatch.run1(new FusedConvOp(SAME, true, act), x, w, b));
        Tensor pooled = Dispatch.run1(new ConvMaxPoolOp(SAME, true, act, false), x, w, b);
        assertThat(pooled.shape()).isEqualTo(direct.shape());
        assertThat(pooled.toFloatArray()).isEqualTo(direct.toFloatArray());
        Tensor noBias =
            Dispatch.run1(
                ConvMaxPoolOp.pool(), Dispatch.run1(new FusedConvOp(SAME, false, act), x, w));
        assertThat(Dispatch.run1(new ConvMaxPoolOp(SAME, false, act, false), x, w).toFloatArray())
            .as("no bias")
            .isEqualTo(noBias.toFloatArray());

        Tensor u = WinogradConvOp.transformFilter(w);
        Tensor winograd =
            Dispatch.run1(
                ConvMaxPoolOp.pool(),
                Dispatch.run1(new WinogradConvOp(SAME, true, act), x, w, u, b));
        Tensor winogradPooled = Dispatch.run1(new ConvMaxPoolOp(SAME, true, act, true), x, w, u, b);
        assertThat(winogradPooled.toFloatArray()).isEqualTo(winograd.toFloatArray());
      }
    }
  }

  /**
   * Under a float32 tape the pooled convolutions run their kernels forward and recompute the
   * convolution for the backward pass: the variables' gradients are the eager model's. Tolerance:
   * the gradient products are the same ops; the forward values they start from differ by the second
   * layer's Winograd rounding (a few 1e-6 at these sizes), which moves sums of a few hundred O(1)
   * terms by well under 1e-4 relative, far below a wrong gradient.
   */
  @Test
  void underAGradientTape_variablesGetTheEagerGradients() {
    Sequential net = new Sequential(convReluPoolTwice(8, 16));
    GraphFunction f =
        Tracing.trace(TensorFunction.of(net::call), TensorSpec.of(DType.FLOAT32, -1, 8, 12, 1));
    assertThat(count(f.optimizedGraph().nodes(), GraphOp.ConvMaxPool.class)).isEqualTo(2);
    Tensor x = TracingTest.input(101, 2, 8, 12, 1);
    List<Tensor> graphGrads;
    List<Tensor> eagerGrads;
    try (dev.sonnet.autodiff.GradientTape tape = dev.sonnet.autodiff.GradientTape.open()) {
      graphGrads = tape.gradient(f.call(x).square().sum(), net.trainableVariables());
    }
    try (dev.sonnet.autodiff.GradientTape tape = dev.sonnet.autodiff.GradientTape.open()) {
      eagerGrads = tape.gradient(net.call(x).square().sum(), net.trainableVariables());
    }
    assertThat(graphGrads).hasSameSizeAs(eagerGrads);
    for (int i = 0; i < eagerGrads.size(); i++) {
      Expect.close(graphGrads.get(i), eagerGrads.get(i), 1e-4);
    }
  }

  /**
   * In float64, which no runtime computes by these kernels, the op falls back to the two ops; the
   * fused kernels' float32 path under a tape is checked above against eager gradients.
   */
  @Test
  void op_gradientMatchesFiniteDifferences() {
    for (boolean winograd : new boolean[] {false, true}) {
      ConvMaxPoolOp op = new ConvMaxPoolOp(SAME, true, UnaryKind.RELU, winograd);
      Tensor x = GradientCheck.uniform(11, -1, 1, 2, 4, 6, 2);
      Tensor w = GradientCheck.uniform(12, -1, 1, 3, 3, 2, 3);
      // A positive bias keeps most pre-activations away from relu's kink at 0.
      Tensor b = Tensor.of(new double[] {2, 2.5, 3}, 3);
      if (winograd) {
        Tensor u = GradientCheck.uniform(13, -1, 1, 16, 2, 3);
        GradientCheck.check(in -> Dispatch.run1(op, in), x, w, u, b);
      } else {
        GradientCheck.check(in -> Dispatch.run1(op, in), x, w, b);
      }
    }
  }
}
