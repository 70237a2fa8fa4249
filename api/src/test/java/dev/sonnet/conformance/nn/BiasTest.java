package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.Deferred;
import dev.sonnet.nn.Bias;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BiasTest {

  @Test
  void biasShape_followsSonnetsBiasDimsRules() {
    Tensor x = ModuleChecks.uniform(1, 2, 3, 4);
    assertThat(shapeFor(x, null)).containsExactly(3, 4);
    assertThat(shapeFor(x, new int[0])).isEmpty();
    assertThat(shapeFor(x, new int[] {-1})).containsExactly(4);
    assertThat(shapeFor(x, new int[] {1})).containsExactly(3, 1);
  }

  private static int[] shapeFor(Tensor x, int[] dims) {
    var b = Bias.builder().biasDims(dims).build();
    b.call(x);
    return b.b().shape().dims();
  }

  @Test
  void call_addsBiasTimesMultiplier() {
    var bias = new Bias();
    Tensor x = ModuleChecks.uniform(2, 2, 3);
    bias.call(x);
    ModuleChecks.randomize(bias.b(), 3);
    double[] xs = x.toDoubleArray();
    double[] b = bias.b().peek().toDoubleArray();
    double[] expected = new double[6];
    for (int i = 0; i < 6; i++) {
      expected[i] = xs[i] + 2 * b[i % 3];
    }
    ModuleChecks.assertClose(bias.call(x, Tensor.scalar(2.0)), expected, 1e-12);
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var bias = Bias.builder().biasDims(-1).build();
    Tensor x = ModuleChecks.uniform(4, 3, 2);
    bias.call(x);
    ModuleChecks.checkGradients(bias, bias::call, x);
  }

  @Test
  void constructor_batchDim_throws() {
    assertThatThrownBy(() -> Bias.builder().biasDims(0).build())
        .hasMessageContaining("batch dimension");
  }

  @Test
  void transpose_isABiasOverTheInputShape() {
    var bias = new Bias();
    Tensor x = ModuleChecks.uniform(5, 2, 3);
    Deferred<Bias> t = bias.transpose();
    bias.call(x);
    assertThat(t.call(x).shape()).isEqualTo(x.shape());
    assertThat(ModuleChecks.variableLines(t)).containsExactly("bias_transpose/b -> f64[3]");
  }
}
