package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.LayerNorm;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayerNormTest {

  @Test
  void call_lastAxis_normalisesEachRowThenScalesAndShifts() {
    var ln = new LayerNorm(new int[] {-1}, true, true);
    Tensor x = ModuleChecks.uniform(1, 3, 4);
    ln.call(x);
    ModuleChecks.randomize(ln.scale(), 2);
    ModuleChecks.randomize(ln.offset(), 3);
    double[] xs = x.toDoubleArray();
    double[] s = ln.scale().peek().toDoubleArray();
    double[] o = ln.offset().peek().toDoubleArray();
    double[] expected = new double[12];
    for (int r = 0; r < 3; r++) {
      double mean = 0;
      for (int j = 0; j < 4; j++) {
        mean += xs[r * 4 + j] / 4;
      }
      double var = 0;
      for (int j = 0; j < 4; j++) {
        var += (xs[r * 4 + j] - mean) * (xs[r * 4 + j] - mean) / 4;
      }
      for (int j = 0; j < 4; j++) {
        expected[r * 4 + j] = (xs[r * 4 + j] - mean) / Math.sqrt(var + 1e-5) * s[j] + o[j];
      }
    }
    ModuleChecks.assertClose(ln.call(x), expected, 1e-9);
  }

  @Test
  void variables_arePerChannel() {
    var ln = new LayerNorm(new int[] {1, 2}, true, true);
    ln.call(ModuleChecks.uniform(1, 2, 3, 5));
    assertThat(ModuleChecks.variableLines(ln))
        .containsExactly("layer_norm/offset -> f64[5]", "layer_norm/scale -> f64[5]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var ln = new LayerNorm(new int[] {-1}, true, true);
    Tensor x = ModuleChecks.uniform(4, 2, 5);
    ln.call(x);
    ModuleChecks.randomize(ln.scale(), 5);
    ModuleChecks.checkGradients(ln, ln::call, x);
  }

  @Test
  void call_withScaleWhileLearningOne_throws() {
    var ln = new LayerNorm(new int[] {-1}, true, false);
    Tensor x = ModuleChecks.uniform(1, 2, 3);
    assertThatThrownBy(() -> ln.call(x, x, null)).hasMessageContaining("learns its own scale");
  }

  @Test
  void constructor_withoutAxis_throws() {
    assertThatThrownBy(() -> new LayerNorm(null, true, true))
        .hasMessageContaining("axis is required");
  }

  @Test
  void repr_showsAxisAndFlags() {
    assertThat(new LayerNorm(new int[] {-1}, true, false).toString())
        .isEqualTo("LayerNorm(axis=[-1], createScale=true, createOffset=false)");
  }
}
