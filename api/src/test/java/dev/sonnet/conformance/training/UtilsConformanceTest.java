package dev.sonnet.conformance.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import dev.sonnet.utils.Utils;
import java.util.List;
import org.junit.jupiter.api.Test;

/** scaleGradient, leakyClipByValue and formatVariables. */
class UtilsConformanceTest {
  private static Tensor gradient(
      Tensor x, Tensor upstream, java.util.function.Function<Tensor, Tensor> f) {
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      Tensor y = f.apply(x);
      return tape.gradient(y.mul(upstream).sum(), x);
    }
  }

  @Test
  void scaleGradient_keepsValues_scalesTheGradient() {
    Tensor x = Tensor.of(new double[] {1, -2}, 2);
    Tensor ones = Tensor.of(new double[] {1, 1}, 2);
    assertThat(Utils.scaleGradient(x, 0.25).toDoubleArray()).containsExactly(1, -2);
    assertThat(gradient(x, ones, t -> Utils.scaleGradient(t.square(), 0.25)).toDoubleArray())
        .containsExactly(new double[] {0.5, -1}, offset(1e-12));
    assertThat(gradient(x, ones, t -> Utils.scaleGradient(t, -1)).toDoubleArray())
        .containsExactly(-1, -1);
  }

  @Test
  void scaleGradient_byZero_stopsTheGradient() {
    Tensor x = Tensor.of(new double[] {1, -2}, 2);
    assertThat(
            gradient(x, Tensor.of(new double[] {1, 1}, 2), t -> Utils.scaleGradient(t, 0))
                .toDoubleArray())
        .containsExactly(0, 0);
  }

  @Test
  void leakyClipByValue_clipsValues_zeroesOnlyGradientsPushingFurtherOut() {
    // below, below, inside, above, above
    Tensor x = Tensor.of(new double[] {-3, -3, 0.5, 3, 3}, 5);
    Tensor up = Tensor.of(new double[] {1, -1, 1, 1, -1}, 5);
    assertThat(Utils.leakyClipByValue(x, -1, 1).toDoubleArray()).containsExactly(-1, -1, 0.5, 1, 1);
    // descent moves x by -g: below with g > 0 would go further down (zeroed), with g < 0 back
    // up (kept); above with g < 0 would go further up (zeroed), with g > 0 back down (kept)
    assertThat(gradient(x, up, t -> Utils.leakyClipByValue(t, -1, 1)).toDoubleArray())
        .containsExactly(0, -1, 1, 1, 0);
  }

  @Test
  void formatVariables_isAnOrgTableSortedByScopeRankAndName() {
    List<Variable> vars =
        List.of(
            new Variable("mlp/linear/b", Tensor.zeros(DType.FLOAT32, 10), true),
            new Variable("mlp/linear/w", Tensor.zeros(DType.FLOAT32, 784, 10), true),
            new Variable("bn/mean", Tensor.zeros(DType.FLOAT32, 3), false));
    String backend = vars.get(0).peek().backend().name();
    String pad = " ".repeat(Math.max(0, 6 - backend.length()));
    String dashes = "-".repeat(Math.max(6, backend.length()) + 2);
    String header = "Device" + " ".repeat(Math.max(0, backend.length() - 6));
    assertThat(Utils.formatVariables(vars))
        .isEqualTo(
            "| Variable     | Spec        | Trainable | "
                + header
                + " |\n"
                + "|--------------+-------------+-----------+"
                + dashes
                + "|\n"
                + "| bn/mean      | f32[3]      | false     | "
                + backend
                + pad
                + " |\n"
                + "| mlp/linear/w | f32[784,10] | true      | "
                + backend
                + pad
                + " |\n"
                + "| mlp/linear/b | f32[10]     | true      | "
                + backend
                + pad
                + " |\n");
  }
}
