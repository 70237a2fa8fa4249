package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.nn.MovingAverage;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class MovingAverageTest {

  // The reference repeats the update in plain doubles; the module does the same operations in
  // float64 in the same order, so agreement is to a few ulps; 1e-12 leaves a wide margin while
  // a missing or wrong debiasing would be off by O(1).

  @Test
  void update_isDebiasedSoTheFirstAverageIsTheValue() {
    var ema = new MovingAverage(0.9);
    ema.update(Tensor.of(new double[] {2, -4}, 2));
    ModuleChecks.assertClose(ema.value(), new double[] {2, -4}, 1e-12);
  }

  @Test
  void update_followsTheDebiasedRecurrence() {
    double decay = 0.8;
    var ema = new MovingAverage(decay);
    double[][] values = {{1, 2, 3}, {-2, 0.5, 4}, {3, 3, -1}, {0, -6, 2}};
    double[] hidden = new double[3];
    for (int n = 1; n <= values.length; n++) {
      double[] v = values[n - 1];
      ema.update(Tensor.of(v, 3));
      double[] expected = new double[3];
      for (int i = 0; i < 3; i++) {
        hidden[i] -= (hidden[i] - v[i]) * (1 - decay);
        expected[i] = hidden[i] / (1 - Math.pow(decay, n));
      }
      ModuleChecks.assertClose(ema.value(), expected, 1e-12);
    }
    assertThat(ema.variables())
        .filteredOn(v -> v.name().endsWith("/counter"))
        .singleElement()
        .satisfies(c -> assertThat(c.peek().toLongArray()).containsExactly(4L));
  }

  @Test
  void update_ofAConstant_keepsTheConstant() {
    var ema = new MovingAverage(0.99);
    for (int i = 0; i < 5; i++) {
      ema.update(Tensor.scalar(3.0));
    }
    assertThat(ema.value().item()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void variables_areNonTrainableCounterHiddenAndAverage() {
    var ema = new MovingAverage(0.9);
    ema.initialize(Tensor.zeros(DType.FLOAT32, 2, 3));
    assertThat(ModuleChecks.variableLines(ema))
        .containsExactly(
            "moving_average/average -> f32[2,3] (non-trainable)",
            "moving_average/counter -> i64[] (non-trainable)",
            "moving_average/hidden -> f32[2,3] (non-trainable)");
    assertThat(ema.nonTrainableVariables()).hasSize(3);
    assertThat(ema.value().toDoubleArray()).containsOnly(0.0);
  }

  @Test
  void update_passesNoGradient() {
    var ema = new MovingAverage(0.5);
    Tensor x = Tensor.of(new double[] {1, 2}, 2);
    List<Tensor> grads;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      ema.update(x.mul(2.0));
      grads = tape.gradient(ema.value().sum(), List.of(x));
    }
    Tensor g = grads.get(0);
    assertThat(g == null ? new double[] {0, 0} : g.toDoubleArray()).containsOnly(0.0);
  }

  @Test
  void reset_setsEverythingBackToZero() {
    var ema = new MovingAverage(0.9);
    ema.update(Tensor.of(new double[] {5}, 1));
    ema.reset();
    assertThat(ema.value().toDoubleArray()).containsExactly(0.0);
    ema.update(Tensor.of(new double[] {7}, 1));
    ModuleChecks.assertClose(ema.value(), new double[] {7}, 1e-12);
  }

  @Test
  void update_withOtherShape_throws() {
    var ema = new MovingAverage(0.9);
    ema.update(Tensor.of(new double[] {1, 2}, 2));
    assertThatThrownBy(() -> ema.update(Tensor.of(new double[] {1, 2, 3}, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("shape of the first value");
  }

  @Test
  void value_beforeAnyUpdate_throwsNotBuilt() {
    assertThatThrownBy(() -> new MovingAverage(0.9).value())
        .isInstanceOf(NotBuiltException.class)
        .hasMessageContaining("update it");
  }

  @Test
  void constructor_decayOutsideUnitInterval_throws() {
    assertThatThrownBy(() -> new MovingAverage(1.5)).hasMessageContaining("[0, 1]");
    assertThatThrownBy(() -> new MovingAverage(Double.NaN)).hasMessageContaining("[0, 1]");
  }

  @Test
  void repr_showsTheDecay() {
    assertThat(new MovingAverage(0.9).toString()).isEqualTo("MovingAverage(decay=0.9)");
  }
}
