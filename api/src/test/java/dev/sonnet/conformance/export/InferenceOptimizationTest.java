package dev.sonnet.conformance.export;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.sonnet.nets.MLP;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.FusedConvOp;
import dev.sonnet.ops.FusedMatMulOp;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inference passes of a graph function: fusion is checked against the unfused graph, the cached
 * variable-only values against assignment, and the fused ops' gradients against finite differences.
 *
 * <p>Tolerance of the fused-versus-unfused comparisons: the fused op runs the same GEMM (or
 * convolution) into its output, then adds the bias and applies the activation to each element in
 * place, exactly the arithmetic of the separate ops in the same order, so the results are equal bit
 * for bit; {@link Expect#SAME_OPS} leaves room only for a kernel choosing another blocking.
 */
class InferenceOptimizationTest {
  private static long count(List<Node> nodes, Class<? extends GraphOp> kind) {
    return nodes.stream().filter(n -> kind.isInstance(n.op())).count();
  }

  @Test
  void mlp_fusesEveryLinearAndActivation_andMatchesTheUnfusedGraph() {
    MLP mlp = MLP.builder(16, 8, 3).build();
    GraphFunction f =
        Tracing.trace(TensorFunction.of(mlp::call), TensorSpec.of(DType.FLOAT32, -1, 12));
    List<Node> fused = f.optimizedGraph().nodes();
    assertThat(count(fused, GraphOp.FusedMatMul.class)).isEqualTo(3);
    assertThat(count(fused, GraphOp.MatMul.class)).isZero();
    assertThat(
            fused.stream()
                .map(Node::op)
                .filter(GraphOp.FusedMatMul.class::isInstance)
                .map(o -> ((GraphOp.FusedMatMul) o).activation())
                .toList())
        .containsExactly(UnaryKind.RELU, UnaryKind.RELU, null);
    for (int batch : new int[] {1, 6}) {
      Tensor x = TracingTest.input(batch, batch, 12);
      Expect.close(f.call(x), f.callUnoptimized(x)[0], Expect.SAME_OPS);
    }
  }

  @Test
  void convNet_fusesConvBiasRelu_andMatchesTheUnfusedGraph() {
    Sequential net =
        new Sequential(
            List.of(
                Conv2D.builder(4, 3).build(),
                Layers.relu(),
                Conv2D.builder(3, 3).stride(2).build(),
                Layers.named("tanh", Tensor::tanh),
                Layers.named("flatten", x -> x.reshape(x.dim(0), -1)),
                Linear.builder(5).build(),
                Layers.named("sigmoid", Tensor::sigmoid)));
    GraphFunction f =
        Tracing.trace(TensorFunction.of(net::call), TensorSpec.of(DType.FLOAT32, -1, 7, 7, 2));
    List<Node> fused = f.optimizedGraph().nodes();
    // The 3x3 stride-1 layer goes to Winograd (declined at run time for its 2 input channels, so
    // the fused direct convolution, same bits); the strided one stays a fused convolution.
    assertThat(count(fused, GraphOp.WinogradConv.class)).isEqualTo(1);
    assertThat(count(fused, GraphOp.FusedConv.class)).isEqualTo(1);
    assertThat(count(fused, GraphOp.FusedMatMul.class)).isEqualTo(1);
    assertThat(count(fused, GraphOp.Unary.class)).isZero();
    for (int batch : new int[] {1, 5}) {
      Tensor x = TracingTest.input(7 + batch, batch, 7, 7, 2);
      Expect.close(f.call(x), f.callUnoptimized(x)[0], Expect.SAME_OPS);
      Expect.close(f.call(x), net.call(x), Expect.SAME_OPS);
    }
  }

  /**
   * A fused product whose weight is a variable keeps it packed between calls (the same bits as
   * packing per call); assigning the variable gives the new weight's results at once. A weight
   * computed in the graph is not marked.
   */
  @Test
  void packedWeights_followAssignments_andOnlyVariableWeightsArePacked() {
    MLP mlp = MLP.builder(16, 8, 3).build();
    GraphFunction f =
        Tracing.trace(TensorFunction.of(mlp::call), TensorSpec.of(DType.FLOAT32, -1, 12));
    assertThat(
            f.optimizedGraph().nodes().stream()
                .map(Node::op)
                .filter(GraphOp.FusedMatMul.class::isInstance)
                .allMatch(o -> ((GraphOp.FusedMatMul) o).constantWeight()))
        .isTrue();
    Tensor x = TracingTest.input(41, 130, 12);
    Expect.close(f.call(x), mlp.call(x), Expect.SAME_OPS);
    Variable w = mlp.trainableVariables().get(0);
    for (double scale : new double[] {-2.0, 0.5}) {
      w.assign(w.peek().mul(scale));
      Expect.close(f.call(x), mlp.call(x), Expect.SAME_OPS);
      Expect.close(f.call(x), f.callUnoptimized(x)[0], Expect.SAME_OPS);
    }

    Linear linear = Linear.builder(4).build();
    linear.call(TracingTest.input(43, 1, 6));
    GraphFunction doubled =
        Tracing.trace(
            in -> {
              Tensor product = in[0].matmul(linear.w().read().mul(2.0));
              return new Tensor[] {product.add(linear.b().read()).relu()};
            },
            TensorSpec.of(DType.FLOAT32, -1, 6));
    List<Node> nodes = doubled.optimizedGraph().nodes();
    assertThat(
            nodes.stream()
                .map(Node::op)
                .filter(GraphOp.FusedMatMul.class::isInstance)
                .map(o -> ((GraphOp.FusedMatMul) o).constantWeight())
                .toList())
        .as("the last product's weight is computed in the graph")
        .endsWith(false);
    GraphFunction inputWeight =
        Tracing.trace(
            in -> new Tensor[] {in[0].matmul(in[1]).add(linear.b().read()).relu()},
            TensorSpec.of(DType.FLOAT32, -1, 6),
            TensorSpec.of(DType.FLOAT32, 6, 4));
    assertThat(
            inputWeight.optimizedGraph().nodes().stream()
                .map(Node::op)
                .filter(GraphOp.FusedMatMul.class::isInstance)
                .map(o -> ((GraphOp.FusedMatMul) o).constantWeight())
                .toList())
        .as("a weight passed as an input is new each call")
        .containsExactly(false);
    Tensor y = TracingTest.input(42, 7, 6);
    Expect.close(
        doubled.call(y),
        y.matmul(linear.w().read().mul(2.0)).add(linear.b().read()).relu(),
        Expect.SAME_OPS);
  }

  @Test
  void cachedVariableOnlyValues_followAssignments() {
    BatchNorm bn = BatchNorm.builder(true, true).build();
    bn.call(TracingTest.input(1, 4, 3).mul(2.0), true);
    GraphFunction f =
        Tracing.trace(
            in -> new Tensor[] {bn.call(in[0], false, false)}, TensorSpec.of(DType.FLOAT32, -1, 3));
    Tensor x = TracingTest.input(2, 5, 3);
    Expect.close(f.call(x), bn.call(x, false, false), Expect.SAME_OPS);
    // A new variance and scale: the cached rsqrt(variance + eps) * scale must be recomputed.
    Variable scale = bn.scale();
    scale.assign(scale.peek().mul(3.0));
    bn.call(TracingTest.input(3, 4, 3).mul(5.0), true);
    Tensor again = f.call(x);
    Expect.close(again, bn.call(x, false, false), Expect.SAME_OPS);
  }

  @Test
  void underAGradientTape_theFunctionIsDifferentiableInItsVariables() {
    MLP mlp = MLP.builder(5, 2).build();
    GraphFunction f =
        Tracing.trace(TensorFunction.of(mlp::call), TensorSpec.of(DType.FLOAT32, -1, 4));
    Tensor x = TracingTest.input(9, 3, 4);
    List<Tensor> graphGrads;
    List<Tensor> eagerGrads;
    try (GradientTape tape = GradientTape.open()) {
      graphGrads = tape.gradient(f.call(x).square().sum(), mlp.trainableVariables());
    }
    try (GradientTape tape = GradientTape.open()) {
      eagerGrads = tape.gradient(mlp.call(x).square().sum(), mlp.trainableVariables());
    }
    for (int i = 0; i < eagerGrads.size(); i++) {
      // The fused op's gradient uses the same products as matmul's, reassociated only in how the
      // bias gradient sums rows; float32 sums of a few O(1) terms: 1e-5 relative is ample.
      Expect.close(graphGrads.get(i), eagerGrads.get(i), 1e-5);
    }
  }

  @Test
  void fusedMatMul_gradientMatchesFiniteDifferences() {
    for (UnaryKind act :
        new UnaryKind[] {null, UnaryKind.TANH, UnaryKind.SIGMOID, UnaryKind.RELU}) {
      for (boolean transposeW : new boolean[] {false, true}) {
        FusedMatMulOp op = new FusedMatMulOp(transposeW, true, act);
        Tensor a = GradientCheck.uniform(1, -1, 1, 2, 3, 4);
        Tensor w =
            transposeW
                ? GradientCheck.uniform(2, -1, 1, 5, 4)
                : GradientCheck.uniform(2, -1, 1, 4, 5);
        // Keep relu's inputs away from its kink at 0: a large positive bias on some columns, a
        // large negative one on others.
        Tensor b = Tensor.of(new double[] {3, -3, 3, -3, 3}, 5);
        GradientCheck.check(in -> Dispatch.run1(op, in), a, w, b);
      }
    }
  }

  @Test
  void fusedMatMul_equalsItsDefinition() {
    Tensor a = GradientCheck.uniform(3, -1, 1, 3, 4);
    Tensor w = GradientCheck.uniform(4, -1, 1, 4, 2);
    Tensor b = GradientCheck.uniform(5, -1, 1, 2);
    Tensor y = Dispatch.run1(new FusedMatMulOp(false, true, UnaryKind.TANH), a, w, b);
    double[] av = a.toDoubleArray();
    double[] wv = w.toDoubleArray();
    double[] bv = b.toDoubleArray();
    double[] yv = y.toDoubleArray();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        double z = bv[j];
        for (int k = 0; k < 4; k++) {
          z += av[i * 4 + k] * wv[k * 2 + j];
        }
        // float64 sums of 5 O(1) terms: error ~1e-15; 1e-12 is ample.
        assertThat(yv[i * 2 + j])
            .isCloseTo(Math.tanh(z), org.assertj.core.data.Offset.offset(1e-12));
      }
    }
  }

  @Test
  void fusedConv_gradientMatchesFiniteDifferences() {
    ConvParams params =
        new ConvParams(new int[] {1, 2}, new int[] {1, 1}, new int[] {1, 0}, new int[] {1, 1}, 1);
    for (UnaryKind act : new UnaryKind[] {null, UnaryKind.TANH}) {
      FusedConvOp op = new FusedConvOp(params, true, act);
      Tensor x = GradientCheck.uniform(6, -1, 1, 2, 3, 4, 2);
      Tensor w = GradientCheck.uniform(7, -1, 1, 2, 2, 2, 3);
      Tensor b = GradientCheck.uniform(8, -1, 1, 3);
      GradientCheck.check(in -> Dispatch.run1(op, in), x, w, b);
    }
  }
}
