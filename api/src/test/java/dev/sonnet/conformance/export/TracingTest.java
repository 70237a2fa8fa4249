package dev.sonnet.conformance.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.export.DimExpr;
import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.GraphOp;
import dev.sonnet.export.Node;
import dev.sonnet.export.TensorFunction;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.export.TraceException;
import dev.sonnet.export.Tracing;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nets.MLP;
import dev.sonnet.nn.Flatten;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tracing records ops, keeps sizes symbolic, and refuses what a graph cannot hold. */
class TracingTest {
  static Tensor input(long seed, int... shape) {
    return Tensor.randomUniform(new Rng(seed), DType.FLOAT32, Shape.of(shape), -1, 1);
  }

  @Test
  void mlp_tracedGraphMatchesEagerAtOtherBatchSizes() {
    MLP mlp = MLP.builder(16, 8, 3).build();
    GraphFunction f =
        Tracing.trace(TensorFunction.of(mlp::call), TensorSpec.of(DType.FLOAT32, -1, 12));
    assertThat(f.variables()).hasSize(6);
    for (int batch : new int[] {1, 4, 9}) {
      Tensor x = input(batch, batch, 12);
      Expect.close(f.call(x), mlp.call(x), Expect.SAME_OPS);
      Expect.close(f.callUnoptimized(x)[0], mlp.call(x), Expect.SAME_OPS);
    }
  }

  @Test
  void flattenReshape_staysSymbolicInTheBatch() {
    Sequential net = new Sequential(new Flatten(), Linear.builder(5).build());
    GraphFunction f =
        Tracing.trace(TensorFunction.of(net::call), TensorSpec.of(DType.FLOAT32, -1, 3, 4));
    GraphOp.Reshape reshape =
        f.graph().nodes().stream()
            .map(Node::op)
            .filter(GraphOp.Reshape.class::isInstance)
            .map(GraphOp.Reshape.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(reshape.shape().dims())
        .containsExactly(DimExpr.symbol("batch"), DimExpr.constant(12));
    for (int batch : new int[] {1, 6, 11}) {
      Tensor x = input(batch, batch, 3, 4);
      Expect.close(f.call(x), net.call(x), Expect.SAME_OPS);
    }
  }

  @Test
  void productOfTwoSymbols_isFitted() {
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, -1, -1, 4).withSymbol(1, "time");
    GraphFunction f =
        Tracing.trace(TensorFunction.of(x -> ShapeOps.reshape(x, -1, 4).mul(2.0).sum(1)), spec);
    assertThat(f.graph().outputs().get(0).shape().dims())
        .containsExactly(new DimExpr(1, List.of("batch", "time"), 0));
    Tensor x = input(3, 3, 5, 4);
    Expect.close(f.call(x), ShapeOps.reshape(x, -1, 4).mul(2.0).sum(1), Expect.SAME_OPS);
  }

  @Test
  void readingValues_failsNamingTheModule() {
    Linear linear = Linear.builder(2).name("head").build();
    TensorFunction f =
        in -> {
          Tensor y = linear.call(in[0]);
          return new Tensor[] {y.sum().item() > 0 ? y : y.neg()};
        };
    assertThatThrownBy(() -> Tracing.trace(f, TensorSpec.of(DType.FLOAT32, -1, 3)))
        .isInstanceOf(TraceException.class)
        .hasMessageContaining("reads the values");
  }

  @Test
  void readingValuesInsideAModule_namesTheModulePath() {
    Sequential net =
        new Sequential(
            Linear.builder(3).build(),
            new Sequential(
                "branchy", List.of(Layers.named("sign", x -> x.sum().item() > 0 ? x : x.neg()))));
    assertThatThrownBy(
            () -> Tracing.trace(TensorFunction.of(net::call), TensorSpec.of(DType.FLOAT32, -1, 3)))
        .isInstanceOf(TraceException.class)
        .hasMessageContaining("reads the values of a")
        .hasMessageContaining("in module branchy")
        .satisfies(e -> assertThat(((TraceException) e).modulePath()).isEqualTo("branchy"));
  }

  @Test
  void opWithNoGraphForm_failsNamingTheOpAndTheModule() {
    Sequential net =
        new Sequential(
            "scatter",
            List.of(
                Layers.named(
                    "scatter_layer",
                    x ->
                        ShapeOps.scatterAdd(
                            x,
                            Tensor.of(new int[] {0}, 1),
                            x.slice(new int[] {0}, new int[] {1}, null),
                            0))));
    assertThatThrownBy(
            () -> Tracing.trace(TensorFunction.of(net::call), TensorSpec.of(DType.FLOAT32, -1, 3)))
        .isInstanceOf(TraceException.class)
        .hasMessageContaining("op 'scatter_add' in module scatter has no graph form")
        .satisfies(e -> assertThat(((TraceException) e).op()).isEqualTo("scatter_add"));
  }

  @Test
  void stopGradient_isTheIdentityInAGraph() {
    GraphFunction f =
        Tracing.trace(
            TensorFunction.of(x -> x.stopGradient().mul(2.0)), TensorSpec.of(DType.FLOAT32, -1, 3));
    assertThat(f.graph().nodes()).hasSize(2); // the fill of 2.0 and the mul; no node for the view
    Tensor x = input(4, 4, 3);
    Expect.close(f.call(x), x.mul(2.0), Expect.SAME_OPS);
  }

  @Test
  void assigningAVariable_fails() {
    dev.sonnet.nn.BatchNorm bn = dev.sonnet.nn.BatchNorm.builder(true, true).build();
    assertThatThrownBy(
            () ->
                Tracing.trace(
                    in -> new Tensor[] {bn.call(in[0], true)}, TensorSpec.of(DType.FLOAT32, -1, 3)))
        .isInstanceOf(TraceException.class)
        .hasMessageContaining("assigns variable 'batch_norm/moving_mean/");
  }

  @Test
  void javaLoopOverTheBatch_failsAsStructureDependingOnIt() {
    TensorFunction f =
        in -> {
          Tensor x = in[0];
          Tensor acc = x.slice(new int[] {0}, new int[] {1}, null);
          for (int i = 1; i < x.dim(0); i++) {
            acc = acc.add(x.slice(new int[] {i}, new int[] {i + 1}, null));
          }
          return new Tensor[] {acc};
        };
    assertThatThrownBy(() -> Tracing.trace(f, TensorSpec.of(DType.FLOAT32, -1, 3)))
        .isInstanceOf(TraceException.class)
        .hasMessageContaining("structure depends on the unknown dimensions [batch]");
  }
}
