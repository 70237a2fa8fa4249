package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.ops.Elementwise;
import dev.sonnet.ops.PadMode;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backward pass is built from dispatched operations, so gradients can be differentiated
 * again: here the gradient {@code d/dx sum(f(x) * c)} (computed on an inner tape) is itself checked
 * against finite differences by {@link GradientCheck}'s outer tape.
 */
class SecondOrderGradientConformanceTest {

  static Stream<Arguments> functions() {
    Tensor idx = Tensor.of(new int[] {2, 0, 2, 1}, 4);
    Tensor cond = Tensor.of(new boolean[] {true, false, true, true, false}, 5);
    return Stream.of(
        Arguments.of("sigmoid", (Function<Tensor, Tensor>) Tensor::sigmoid),
        Arguments.of("gelu", (Function<Tensor, Tensor>) Tensor::gelu),
        Arguments.of("softplus", (Function<Tensor, Tensor>) Tensor::softplus),
        Arguments.of("rsqrt", (Function<Tensor, Tensor>) x -> x.square().add(0.5).rsqrt()),
        Arguments.of("div", (Function<Tensor, Tensor>) x -> x.div(x.square().add(1.0))),
        Arguments.of("pow", (Function<Tensor, Tensor>) x -> x.square().add(0.5).pow(x)),
        Arguments.of(
            "where", (Function<Tensor, Tensor>) x -> Elementwise.where(cond, x.sin(), x.square())),
        Arguments.of("softmax", (Function<Tensor, Tensor>) x -> x.softmax(-1)),
        Arguments.of("logSoftmax", (Function<Tensor, Tensor>) x -> x.logSoftmax(0)),
        Arguments.of("variance", (Function<Tensor, Tensor>) x -> x.variance(1)),
        Arguments.of("logsumexp", (Function<Tensor, Tensor>) x -> x.logsumexp(0)),
        Arguments.of("max", (Function<Tensor, Tensor>) x -> x.square().max(1)),
        Arguments.of("gather", (Function<Tensor, Tensor>) x -> x.gather(idx, 0).square()),
        Arguments.of(
            "slice",
            (Function<Tensor, Tensor>)
                x ->
                    x.slice(new int[] {2, -1}, new int[] {0, Integer.MIN_VALUE}, new int[] {-1, -2})
                        .exp()),
        Arguments.of(
            "pad",
            (Function<Tensor, Tensor>)
                x ->
                    ShapeOps.pad(x.square(), new int[][] {{1, 2}, {2, 1}}, PadMode.REFLECT, 0)
                        .mul(x.sum())),
        Arguments.of(
            "transposeMatmul", (Function<Tensor, Tensor>) x -> x.transpose().matmul(x).tanh()),
        Arguments.of("broadcast", (Function<Tensor, Tensor>) x -> x.mean(true, 0).mul(x)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void gradientOfGradient_matchesFiniteDifferences(String name, Function<Tensor, Tensor> f) {
    Tensor x = GradientCheck.uniform(101, -1, 1, 3, 5);
    Tensor c = Tensor.randomUniform(new Rng(102), DType.FLOAT64, f.apply(x).shape(), 0.5, 1.5);
    GradientCheck.check(
        in -> {
          try (GradientTape tape = GradientTape.open()) {
            tape.watch(in[0]);
            return tape.gradient(f.apply(in[0]).mul(c).sum(), in[0]);
          }
        },
        x);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void gradient_hasInputShape(String name, Function<Tensor, Tensor> f) {
    Tensor x = GradientCheck.uniform(103, -1, 1, 3, 5);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      assertThat(tape.gradient(f.apply(x).sum(), x).shape()).isEqualTo(Shape.of(3, 5));
    }
  }
}
