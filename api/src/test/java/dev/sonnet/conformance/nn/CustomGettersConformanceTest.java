package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.CustomGetters;
import dev.sonnet.module.ModuleException;
import dev.sonnet.nets.MLP;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sonnet 2's custom_variable_getter and Sonnet 1's stop_gradient, non_trainable, override_args. */
class CustomGettersConformanceTest {

  @Test
  void customVariableGetter_castsEveryReadInsideTheScope_gradientsReachTheVariables() {
    Linear linear = new Linear(2);
    Tensor x = ModuleChecks.uniform(1, 3, 4);
    linear.call(x.cast(DType.FLOAT32));
    try (GradientTape tape = GradientTape.open()) {
      Tensor y;
      try (var cast = CustomGetters.customVariableGetter(v -> v.cast(DType.FLOAT64), linear)) {
        y = linear.call(x); // float64 input works: w and b are read as float64
      }
      assertThat(y.dtype()).isEqualTo(DType.FLOAT64);
      // Plain loop: y = x w + b with the float32 values widened exactly.
      double[] w = linear.w().peek().toDoubleArray();
      double[] b = linear.b().peek().toDoubleArray();
      double[] expected = NnReference.linear(x.toDoubleArray(), 3, 4, w, 2, b);
      ModuleChecks.assertClose(y, expected, 1e-12);
      List<Tensor> g = tape.gradient(y.sum(), List.of(linear.w(), linear.b()));
      assertThat(g.get(0).dtype()).isEqualTo(DType.FLOAT32);
      assertThat(g.get(1).toFloatArray()).containsExactly(3f, 3f);
    }
    // Outside the scope reads are plain again.
    assertThat(linear.call(x.cast(DType.FLOAT32)).dtype()).isEqualTo(DType.FLOAT32);
  }

  @Test
  void stopGradient_freezesTheGivenModuleOnly() {
    Linear encoder = new Linear(3, "encoder");
    Linear decoder = new Linear(1, "decoder");
    Tensor x = ModuleChecks.uniform(2, 4, 2);
    decoder.call(encoder.call(x));
    try (GradientTape tape = GradientTape.open()) {
      Tensor loss;
      try (var frozen = CustomGetters.stopGradient(encoder)) {
        loss = decoder.call(encoder.call(x)).square().sum();
      }
      List<Tensor> g = tape.gradient(loss, List.of(encoder.w(), decoder.w()));
      assertThat(g.get(0).toDoubleArray()).containsOnly(0.0);
      assertThat(g.get(1).toDoubleArray()).isNotEqualTo(new double[3]);
    }
  }

  @Test
  void nonTrainable_makesVariablesCreatedInsideTheScopeNonTrainable() {
    MLP mlp = new MLP(new int[] {3, 2});
    Linear other = new Linear(2, "other");
    Tensor x = ModuleChecks.uniform(3, 2, 4);
    try (var fixed = CustomGetters.nonTrainable(mlp)) {
      mlp.call(x);
      other.call(x);
    }
    assertThat(mlp.nonTrainableVariables()).hasSize(4);
    assertThat(mlp.allowEmptyVariables().trainableVariables()).isEmpty();
    assertThat(other.trainableVariables()).hasSize(2); // not one of the modules named
    // Created after the scope closed: trainable as usual.
    Linear later = new Linear(2, "later");
    later.call(x);
    assertThat(later.trainableVariables()).hasSize(2);
  }

  @Test
  void overrideArgs_replacesTheInitializer_andKeepsWhatItDoesNotName() {
    Linear linear = new Linear(2);
    try (var ones =
        CustomGetters.overrideArgs(new CustomGetters.Overrides(null, Initializers.ones()))) {
      linear.call(ModuleChecks.uniform(4, 1, 3).cast(DType.FLOAT32));
    }
    assertThat(linear.w().peek().toFloatArray()).containsOnly(1f);
    assertThat(linear.b().peek().toFloatArray()).containsOnly(1f);
    assertThat(linear.trainableVariables()).hasSize(2);
  }

  @Test
  void aGetterThatChangesTheShape_isAnErrorNamingTheVariable() {
    Linear linear = new Linear(2, "lin");
    Tensor x = ModuleChecks.uniform(5, 1, 3).cast(DType.FLOAT32);
    linear.call(x);
    try (var bad = CustomGetters.customVariableGetter(v -> v.reshape(-1), linear)) {
      assertThatThrownBy(() -> linear.call(x))
          .isInstanceOf(ShapeException.class)
          .hasMessageContaining("lin/w")
          .hasMessageContaining("must keep the variable's shape");
    }
  }

  @Test
  void scopesCloseInnermostFirst() {
    var outer = CustomGetters.stopGradient();
    var inner = CustomGetters.stopGradient();
    assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class);
    inner.close();
    outer.close();
    Variable v = new Variable("v", Tensor.scalar(1.0f), true);
    assertThat(v.read().item()).isEqualTo(1.0);
    assertThat(ModuleException.class).isNotNull();
  }
}
