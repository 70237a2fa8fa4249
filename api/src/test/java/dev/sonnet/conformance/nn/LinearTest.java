package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Module;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LinearTest {

  @Test
  void call_matchesMatrixProductPlusBias() {
    var linear = new Linear(3);
    Tensor x = ModuleChecks.uniform(1, 4, 5);
    linear.call(x);
    ModuleChecks.randomize(linear.w(), 2);
    ModuleChecks.randomize(linear.b(), 3);
    double[] expected =
        NnReference.linear(
            x.toDoubleArray(),
            4,
            5,
            linear.w().peek().toDoubleArray(),
            3,
            linear.b().peek().toDoubleArray());
    ModuleChecks.assertClose(linear.call(x), expected, 1e-12);
  }

  @Test
  void call_withLeadingBatchDims_mapsOnlyTheLastDimension() {
    var linear = new Linear(2);
    Tensor x = ModuleChecks.uniform(4, 2, 3, 4);
    Tensor y = linear.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 3, 2);
    double[] expected =
        NnReference.linear(
            x.toDoubleArray(),
            6,
            4,
            linear.w().peek().toDoubleArray(),
            2,
            linear.b().peek().toDoubleArray());
    ModuleChecks.assertClose(y, expected, 1e-12);
  }

  @Test
  void variables_areNamedAndShapedFromTheFirstInput() {
    var linear = new Linear(10);
    linear.call(Tensor.ones(DType.FLOAT32, 8, 3));
    assertThat(ModuleChecks.variableLines(linear))
        .containsExactly("linear/b -> f32[10]", "linear/w -> f32[3,10]");
    assertThat(linear.inputSize()).isEqualTo(3);
  }

  @Test
  void defaultInit_isTruncatedNormalWithFanInStddevAndZeroBias() {
    var linear = new Linear(200);
    linear.call(Tensor.ones(DType.FLOAT64, 1, 100));
    double[] w = linear.w().peek().toDoubleArray();
    double sum = 0;
    double sq = 0;
    for (double v : w) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo(2 * 0.1 + 1e-12);
      sum += v;
      sq += v * v;
    }
    double var = sq / w.length - (sum / w.length) * (sum / w.length);
    // truncated at 2 sigma: variance = 0.01 * 0.774
    assertThat(var).isCloseTo(0.01 * 0.7737, org.assertj.core.data.Offset.offset(0.0005));
    assertThat(linear.b().peek().toDoubleArray()).containsOnly(0.0);
  }

  @Test
  void withoutBias_hasOnlyW() {
    var linear = Linear.builder(2).withBias(false).wInit(Initializers.ones()).build();
    Tensor y = linear.call(Tensor.ones(DType.FLOAT32, 1, 3));
    assertThat(y.toFloatArray()).containsExactly(3f, 3f);
    assertThat(ModuleChecks.variableLines(linear)).containsExactly("linear/w -> f32[3,2]");
  }

  @Test
  void constructor_withBiasFalseAndBInit_throwsStatingTheRule() {
    assertThatThrownBy(() -> Linear.builder(2).withBias(false).bInit(Initializers.zeros()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("when withBias is false, bInit must be null");
  }

  @Test
  void call_withOtherInputSize_teachesTheExpectedSize() {
    var linear = new Linear(2);
    linear.call(Tensor.ones(DType.FLOAT32, 1, 3));
    assertThatThrownBy(() -> linear.call(Tensor.ones(DType.FLOAT32, 1, 4)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("linear")
        .hasMessageContaining("[1, 4]")
        .hasMessageContaining("built for 3");
  }

  @Test
  void call_onRank1Input_throwsNamingTheLayout() {
    assertThatThrownBy(() -> new Linear(2).call(Tensor.ones(DType.FLOAT32, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("rank >= 2");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var linear = new Linear(3);
    Tensor x = ModuleChecks.uniform(5, 2, 4);
    linear.call(x);
    ModuleChecks.randomize(linear.b(), 6);
    ModuleChecks.checkGradients(linear, linear::call, x);
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new Linear(10).toString()).isEqualTo("Linear(outputSize=10)");
    assertThat(Linear.builder(10).withBias(false).name("out").build().toString())
        .isEqualTo("Linear(outputSize=10, withBias=false, name=\"out\")");
  }

  @Test
  void transpose_mapsBackToTheInputSizeWithOwnVariables() {
    var linear = new Linear(4);
    Deferred<Linear> back = linear.transpose();
    Tensor x = Tensor.ones(DType.FLOAT32, 2, 6);
    Tensor y = back.call(linear.call(x));
    assertThat(y.shape()).isEqualTo(x.shape());
    assertThat(ModuleChecks.variableLines(back))
        .containsExactly("linear_transpose/b -> f32[6]", "linear_transpose/w -> f32[4,6]");
    Module twice = back.transpose();
    assertThat(twice.toString()).isEqualTo(linear.toString());
  }

  @Test
  void inputSize_beforeFirstCall_throwsNotBuilt() {
    assertThatThrownBy(() -> new Linear(2).inputSize())
        .isInstanceOf(NotBuiltException.class)
        .hasMessageContaining("Call it once");
  }
}
