package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.GradientCheck;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.nn.ConcatLinear;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConcatLinearTest {

  /** Rows of {@code a [n, p]} and {@code b [n, q]} side by side: {@code [n, p + q]}. */
  private static double[] concatRows(double[] a, int p, double[] b, int q, int n) {
    double[] out = new double[n * (p + q)];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a, i * p, out, i * (p + q), p);
      System.arraycopy(b, i * q, out, i * (p + q) + p, q);
    }
    return out;
  }

  @Test
  void call_equalsOneLinearOverTheFlattenedConcatenation() {
    var cl = new ConcatLinear(3);
    Tensor a = ModuleChecks.uniform(1, 2, 3);
    Tensor b = ModuleChecks.uniform(2, 2, 2, 2);
    cl.call(List.of(a, b));
    for (Linear l : cl.layers()) {
      ModuleChecks.randomize(l.w(), l.inputSize());
    }
    ModuleChecks.randomize(cl.layers().get(0).b(), 9);
    // The stacked weights [w_0; w_1] act on [a, flatten(b)] (row-major flatten of b's [2, 2]).
    double[] x = concatRows(a.toDoubleArray(), 3, b.toDoubleArray(), 4, 2);
    double[] w = new double[7 * 3];
    System.arraycopy(cl.layers().get(0).w().peek().toDoubleArray(), 0, w, 0, 9);
    System.arraycopy(cl.layers().get(1).w().peek().toDoubleArray(), 0, w, 9, 12);
    double[] expected =
        NnReference.linear(x, 2, 7, w, 3, cl.layers().get(0).b().peek().toDoubleArray());
    Tensor y = cl.call(List.of(a, b));
    assertThat(y.shape().dims()).containsExactly(2, 3);
    // Sums of 7 products of values in [-1, 1): float64 rounding far below 1e-12.
    ModuleChecks.assertClose(y, expected, 1e-12);
  }

  @Test
  void variables_oneLinearPerInputOnlyTheFirstWithBias() {
    var cl = new ConcatLinear(4);
    cl.call(
        List.of(
            Tensor.zeros(DType.FLOAT32, 2, 3),
            Tensor.zeros(DType.FLOAT32, 2, 2, 3),
            Tensor.zeros(DType.FLOAT32, 2, 1)));
    assertThat(ModuleChecks.variableLines(cl))
        .containsExactly(
            "concat_linear/linear/b -> f32[4]", "concat_linear/linear/w -> f32[3,4]",
            "concat_linear/linear_1/w -> f32[6,4]", "concat_linear/linear_2/w -> f32[1,4]");
  }

  @Test
  void withoutBias_hasNoBiasAtAll() {
    var cl = ConcatLinear.builder(2).withBias(false).build();
    cl.call(List.of(Tensor.zeros(DType.FLOAT32, 1, 3), Tensor.zeros(DType.FLOAT32, 1, 2)));
    assertThat(cl.variables()).hasSize(2);
    assertThat(cl.layers()).allSatisfy(l -> assertThat(l.b()).isNull());
  }

  @Test
  void gradients_matchFiniteDifferencesForEveryInputAndVariable() {
    var cl = new ConcatLinear(2);
    Tensor a = ModuleChecks.uniform(3, 2, 3);
    Tensor b = ModuleChecks.uniform(4, 2, 2, 2);
    cl.call(List.of(a, b));
    ModuleChecks.randomize(cl.layers().get(0).b(), 5);
    GradientCheck.check(in -> cl.call(List.of(in[0], in[1])), a, b);
    ModuleChecks.checkVariableGradients(cl, () -> cl.call(List.of(a, b)));
  }

  @Test
  void call_withOtherInputCount_throws() {
    var cl = new ConcatLinear(2);
    cl.call(List.of(Tensor.zeros(DType.FLOAT32, 1, 3), Tensor.zeros(DType.FLOAT32, 1, 2)));
    assertThatThrownBy(() -> cl.call(List.of(Tensor.zeros(DType.FLOAT32, 1, 3))))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("got 1 inputs but was built for 2");
    assertThatThrownBy(() -> cl.call(List.of())).hasMessageContaining("at least one input");
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(() -> new ConcatLinear(0)).hasMessageContaining("outputSize must be >= 1");
    assertThatThrownBy(
            () -> ConcatLinear.builder(2).withBias(false).bInit(Initializers.zeros()).build())
        .hasMessageContaining("when withBias is false, bInit must be null");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new ConcatLinear(10).toString()).isEqualTo("ConcatLinear(outputSize=10)");
    assertThat(ConcatLinear.builder(10).withBias(false).build().toString())
        .isEqualTo("ConcatLinear(outputSize=10, withBias=false)");
  }
}
