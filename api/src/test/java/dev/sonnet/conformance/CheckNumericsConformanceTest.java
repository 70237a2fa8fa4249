package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.CheckNumerics;
import dev.sonnet.ops.NonFiniteException;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code isFinite}, and check-numerics mode: off, a NaN spreads silently; on, the first op whose
 * output holds a NaN or an infinity throws, naming the op, the module, the shapes and whether the
 * value came in through an input.
 */
class CheckNumericsConformanceTest {

  @AfterEach
  void turnOff() {
    CheckNumerics.setEnabled(false);
  }

  @Test
  void isFinite_isFalseExactlyForNaNAndInfinities() {
    float[] f = {
      1,
      Float.NaN,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      -0f,
      Float.MAX_VALUE,
      -Float.MAX_VALUE,
      Float.MIN_VALUE
    };
    boolean[] expected = {true, false, false, false, true, true, true, true};
    assertThat(Tensor.of(f, f.length).isFinite().toBooleanArray()).containsExactly(expected);
    double[] d = {
      1,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      -0.0,
      Double.MAX_VALUE,
      -Double.MAX_VALUE,
      Double.MIN_VALUE
    };
    assertThat(Tensor.of(d, d.length).isFinite().toBooleanArray()).containsExactly(expected);
    assertThat(Tensor.of(new int[] {Integer.MIN_VALUE, 0}, 2).isFinite().toBooleanArray())
        .containsExactly(true, true);
    assertThat(Tensor.of(f, 2, 4).isFinite().shape()).isEqualTo(Tensor.of(f, 2, 4).shape());
  }

  @Test
  void off_aNaNSpreadsWithoutAnError() {
    assertThat(CheckNumerics.isEnabled()).isFalse();
    Tensor x = Tensor.of(new float[] {-1, 2}, 2);
    assertThat(x.log().sum().toFloatArray()[0]).isNaN();
  }

  @Test
  void on_anOpThatMakesANaNFromFiniteInputs_isNamed() {
    CheckNumerics.setEnabled(true);
    Tensor x = Tensor.of(new float[] {4, -1, 9}, 3);
    assertThatThrownBy(x::log)
        .isInstanceOf(NonFiniteException.class)
        .hasMessageContaining("op 'log'")
        .hasMessageContaining("produced 1 NaN")
        .hasMessageContaining("at [1]")
        .hasMessageContaining("inputs: f32[3]")
        .hasMessageContaining("Its inputs were finite")
        .satisfies(e -> assertThat(((NonFiniteException) e).op()).isEqualTo("log"));
    assertThatThrownBy(() -> Tensor.of(new double[] {1, 0}, 2).reciprocal())
        .hasMessageContaining("produced 1 infinity");
  }

  @Test
  void on_aNaNInTheData_stopsAtTheFirstModuleOp_namingItsPathAndTheInput() {
    Linear first = new Linear(3);
    Sequential model = Sequential.of(first, Layers.relu(), new Linear(2));
    Tensor good = Tensor.ones(DType.FLOAT32, 2, 4);
    model.call(good); // build outside the mode
    CheckNumerics.setEnabled(true);
    Tensor bad = Tensor.of(new float[] {1, 1, 1, 1, 1, Float.NaN, 1, 1}, 2, 4);
    assertThatThrownBy(() -> model.call(bad))
        .isInstanceOf(NonFiniteException.class)
        .hasMessageContaining("op 'matmul' in module " + first.path())
        .hasMessageContaining("passed on")
        .hasMessageContaining("f32[2, 4] (holds 1 NaN, the first (NaN) at [1, 1])")
        .hasMessageContaining("came in through input 0")
        .satisfies(e -> assertThat(((NonFiniteException) e).modulePath()).isEqualTo(first.path()));
    assertThatCode(() -> model.call(good)).doesNotThrowAnyException();
  }

  @Test
  void on_gradientsAreChecked_andABadUpdateLeavesTheVariableAsItWas() {
    Variable w = new Variable("w", Tensor.of(new double[] {0, 4}, 2), true);
    CheckNumerics.setEnabled(true);
    try (GradientTape tape = GradientTape.open()) {
      Tensor loss = w.read().sqrt().sum(); // d sqrt(w)/dw = 1/(2 sqrt(w)): infinite at 0
      assertThatThrownBy(() -> tape.gradient(loss, w))
          .isInstanceOf(NonFiniteException.class)
          .hasMessageContaining("infinity");
    }
    Tensor nanDelta = Tensor.of(new double[] {Double.NaN, 1}, 2);
    assertThatThrownBy(() -> w.assignSub(nanDelta))
        .isInstanceOf(NonFiniteException.class)
        .hasMessageContaining("op 'sub'");
    assertThat(w.peek().toDoubleArray()).containsExactly(0, 4);
  }

  @Test
  void check_throwsForABadTensorWhateverTheMode_andReturnsAGoodOne() {
    Tensor ok = Tensor.of(new float[] {1, 2}, 2);
    assertThat(CheckNumerics.check(ok, "logits")).isSameAs(ok);
    assertThatThrownBy(
            () ->
                CheckNumerics.check(
                    Tensor.of(new float[] {1, Float.POSITIVE_INFINITY, Float.NaN}, 3), "logits"))
        .isInstanceOf(NonFiniteException.class)
        .hasMessage("logits f32[3] holds 1 NaN and 1 infinity, the first (Infinity) at [1]");
  }

  @Test
  void setEnabled_returnsThePreviousSetting() {
    assertThat(CheckNumerics.setEnabled(true)).isFalse();
    assertThat(CheckNumerics.setEnabled(false)).isTrue();
  }
}
