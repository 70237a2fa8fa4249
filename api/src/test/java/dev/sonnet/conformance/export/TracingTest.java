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
import dev.sonnet.ops.Scan;
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

  @Test
  void scan_capturesOuterValuesAndVariables_andRunsAnyLength() {
    Linear proj = Linear.builder(3).build();
    TensorFunction f =
        in -> {
          Tensor scale = in[0].sum(0).sum(0).tanh(); // [3], computed from the input outside
          Scan.Result r =
              Scan.scan(
                  (c, x) -> {
                    Tensor next = proj.call(x[0]).mul(scale).add(c[0]);
                    return new Tensor[] {next, next.relu()};
                  },
                  List.of(Tensor.zeros(DType.FLOAT32, in[0].dim(1), 3)),
                  List.of(in[0]),
                  0);
          return new Tensor[] {r.outputs().get(0), r.finalCarried().get(0)};
        };
    GraphFunction g =
        Tracing.trace(f, TensorSpec.of(DType.FLOAT32, -1, -1, 3).withSymbol(0, "time"));
    GraphOp.Scan scan =
        (GraphOp.Scan)
            g.graph().nodes().stream()
                .map(Node::op)
                .filter(o -> o instanceof GraphOp.Scan)
                .findFirst()
                .orElseThrow();
    assertThat(scan.carried()).isEqualTo(1);
    assertThat(scan.captures()).as("scale, w and b").isEqualTo(3);
    assertThat(g.variables()).hasSize(2);
    for (int t : new int[] {1, 6}) {
      Tensor x = input(t, t, 4, 3);
      Expect.sameOutputs(g, f, x);
    }
  }

  @Test
  void nestedScans_areLoopsInLoops() {
    TensorFunction f =
        in -> {
          // Outer over axis 0 of [T, U, B], inner over the U axis of each step's [U, B].
          Scan.Result r =
              Scan.scan(
                  (c, x) -> {
                    Scan.Result inner =
                        Scan.scan(
                            (ci, xi) -> {
                              Tensor s = ci[0].add(xi[0]).mul(c[0]);
                              return new Tensor[] {s, s};
                            },
                            List.of(c[0]),
                            List.of(x[0]),
                            0);
                    return new Tensor[] {
                      inner.finalCarried().get(0).tanh(), inner.outputs().get(0)
                    };
                  },
                  List.of(Tensor.ones(DType.FLOAT32, in[0].dim(2))),
                  List.of(in[0]),
                  0);
          return new Tensor[] {r.outputs().get(0)};
        };
    GraphFunction g =
        Tracing.trace(
            f,
            TensorSpec.of(DType.FLOAT32, -1, -1, -1)
                .withSymbol(0, "time")
                .withSymbol(1, "inner")
                .withSymbol(2, "batch"));
    for (int[] dims : new int[][] {{1, 1, 1}, {3, 5, 2}}) {
      Tensor x = input(dims[0] + dims[1], dims).mul(Tensor.scalar(0.5f));
      Expect.close(g.call(x), f.call(x)[0], Expect.SAME_OPS);
    }
  }

  @Test
  void scanBody_readingValues_failsNamingTheLoop() {
    TensorFunction f =
        in ->
            new Tensor[] {
              Scan.scan(
                      (c, x) -> {
                        if (x[0].sum().item() > 0) { // a Java branch on a value
                          return new Tensor[] {c[0].add(x[0])};
                        }
                        return new Tensor[] {c[0]};
                      },
                      List.of(Tensor.zeros(DType.FLOAT32, in[0].dim(1))),
                      List.of(in[0]),
                      0)
                  .finalCarried()
                  .get(0)
            };
    assertThatThrownBy(() -> Tracing.trace(f, TensorSpec.of(DType.FLOAT32, -1, -1)))
        .isInstanceOf(TraceException.class)
        .hasMessageContaining("reads the values")
        .hasMessageContaining("in the body of a loop");
  }

  @Test
  void meanOverUnknownDimensions_countsThemWhenTheGraphRuns() {
    TensorFunction f =
        in -> new Tensor[] {in[0].mean(0), in[0].mean(true, 0, 1), in[0].variance(false, 1)};
    GraphFunction g =
        Tracing.trace(f, TensorSpec.of(DType.FLOAT32, -1, -1, 3).withSymbol(0, "time"));
    for (int[] dims : new int[][] {{1, 1, 3}, {7, 5, 3}}) {
      Expect.sameOutputs(g, f, input(dims[0] * 31 + dims[1], dims));
    }
  }
}
