package dev.sonnet.conformance.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.conformance.nn.NnReference;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.nets.MLP;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MLPTest {

  private static double[] layer(Linear l, double[] x, int m, int k, boolean relu) {
    double[] y =
        NnReference.linear(
            x, m, k, l.w().peek().toDoubleArray(), l.outputSize(), l.b().peek().toDoubleArray());
    if (relu) {
      for (int i = 0; i < y.length; i++) {
        y[i] = Math.max(0, y[i]);
      }
    }
    return y;
  }

  @Test
  void call_appliesReluBetweenLayersButNotAfterTheLast() {
    var mlp = new MLP(new int[] {5, 4, 3});
    Tensor x = ModuleChecks.uniform(1, 2, 6);
    mlp.call(x);
    for (Linear l : mlp.layers()) {
      ModuleChecks.randomize(l.b(), l.outputSize());
    }
    double[] h = layer(mlp.layers().get(0), x.toDoubleArray(), 2, 6, true);
    h = layer(mlp.layers().get(1), h, 2, 5, true);
    h = layer(mlp.layers().get(2), h, 2, 4, false);
    ModuleChecks.assertClose(mlp.call(x), h, 1e-12);
  }

  @Test
  void call_withActivateFinal_activatesTheOutput() {
    var mlp = MLP.builder(3).activateFinal(true).build();
    Tensor y = mlp.call(ModuleChecks.uniform(2, 4, 5));
    for (double v : y.toDoubleArray()) {
      assertThat(v).isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void variables_areNamedLinearIUnderMlp() {
    var mlp = new MLP(new int[] {4, 5});
    mlp.call(Tensor.ones(DType.FLOAT32, 8, 3));
    assertThat(ModuleChecks.variableLines(mlp))
        .containsExactly(
            "mlp/linear_0/b -> f32[4]", "mlp/linear_0/w -> f32[3,4]",
            "mlp/linear_1/b -> f32[5]", "mlp/linear_1/w -> f32[4,5]");
  }

  @Test
  void dropout_isAppliedBeforeTheActivationOnlyInTraining() {
    // With a tanh, dropout after the activation would leave tanh(0)=0 too; use an activation
    // with f(0) != 0 to tell the order apart.
    Layer plusOne = Layers.named("plus_one", t -> t.add(1.0));
    var mlp =
        MLP.builder(50)
            .activation(plusOne)
            .dropoutRate(0.5)
            .dropoutSeed(3L)
            .activateFinal(true)
            .build();
    Tensor x = ModuleChecks.uniform(3, 4, 6);
    double[] y = mlp.call(x, true).toDoubleArray();
    int ones = 0;
    for (double v : y) {
      if (v == 1.0) {
        ones++;
      }
    }
    assertThat(ones).isBetween(60, 140);
    Tensor eval = mlp.call(x, false);
    ModuleChecks.assertClose(eval, mlp.layers().get(0).call(x).add(1.0).toDoubleArray(), 1e-12);
  }

  @Test
  void call_withoutFlagButDropout_throws() {
    var mlp = MLP.builder(2).dropoutRate(0.5).dropoutSeed(1L).build();
    assertThatThrownBy(() -> mlp.call(Tensor.ones(DType.FLOAT32, 1, 2)))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("call(x, isTraining)");
  }

  @Test
  void call_withFlagButNoDropout_throws() {
    assertThatThrownBy(() -> new MLP(new int[] {2}).call(Tensor.ones(DType.FLOAT32, 1, 2), true))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("has no dropout");
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(() -> MLP.builder(2).dropoutRate(0.5).build())
        .hasMessageContaining("when dropoutRate is above 0, dropoutSeed must be");
    assertThatThrownBy(
            () ->
                MLP.builder(2)
                    .withBias(false)
                    .bInit(dev.sonnet.initializers.Initializers.zeros())
                    .build())
        .hasMessageContaining("when withBias is false, bInit must be null");
    assertThatThrownBy(() -> new MLP(new int[0])).hasMessageContaining("at least one");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var mlp = MLP.builder(4, 3).activation(Layers.tanh()).build();
    Tensor x = ModuleChecks.uniform(4, 2, 3);
    mlp.call(x);
    ModuleChecks.checkGradients(mlp, mlp::call, x);
  }

  @Test
  void transpose_mapsBackToTheInputSizeWithNewVariables() {
    var mlp = new MLP(new int[] {4, 2});
    Tensor x = Tensor.ones(DType.FLOAT32, 3, 6);
    Tensor y = mlp.call(x);
    Deferred<MLP> back = mlp.transpose();
    assertThat(back.call(y).shape()).isEqualTo(x.shape());
    assertThat(back.target().outputSizes()).containsExactly(4, 6);
    assertThat(back.name()).isEqualTo("mlp_transpose");
    assertThat(back.variables()).doesNotContainAnyElementsOf(mlp.variables());
  }

  @Test
  void transpose_beforeTheOriginalsFirstCall_isBuiltFromItLater() {
    var mlp = new MLP(new int[] {4, 2});
    Deferred<MLP> back = mlp.transpose();
    Tensor x = Tensor.ones(DType.FLOAT32, 3, 6);
    assertThat(back.call(mlp.call(x)).shape()).isEqualTo(x.shape());
    assertThat(back.transpose().toString()).isEqualTo(mlp.toString());
  }

  @Test
  void transpose_ofAnUnbuiltOriginal_throwsNotBuiltAtItsFirstCall() {
    Deferred<MLP> back = new MLP(new int[] {2}).transpose();
    assertThatThrownBy(() -> back.call(Tensor.ones(DType.FLOAT32, 3, 2)))
        .isInstanceOf(NotBuiltException.class);
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new MLP(new int[] {3, 4, 5}).toString()).isEqualTo("MLP(outputSizes=[3, 4, 5])");
    assertThat(new MLP(new int[] {2}, Layers.tanh(), "m").toString())
        .isEqualTo("MLP(outputSizes=[2], activation=tanh, name=\"m\")");
  }
}
