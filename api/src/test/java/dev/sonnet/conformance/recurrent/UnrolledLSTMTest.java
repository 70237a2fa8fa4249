package dev.sonnet.conformance.recurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.recurrent.UnrolledLSTM;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link UnrolledLSTM} against {@code Unroll.dynamicUnroll} of an {@link LSTM} holding the same
 * weights (itself checked against plain loops in {@link RecurrentCoresTest}), and its gradients
 * through time against finite differences.
 *
 * <p>Tolerance {@code 1e-12}: the same float64 sums, only the input projection's grouping differs
 * (one {@code [T*B, in]} product instead of {@code T} products), so values differ by rounding.
 */
class UnrolledLSTMTest {
  static final double TOL = 1e-12;
  static final int T = 5;
  static final int B = 3;
  static final int F = 4;
  static final int H = 3;

  /** Both built in float64, the LSTM randomized and its weights copied into the unrolled one. */
  static UnrolledLSTM sameWeights(LSTM lstm) {
    Tensor x0 = ModuleChecks.uniform(1, B, F);
    lstm.call(x0, lstm.initialState(x0));
    ModuleChecks.randomize(lstm.wi(), 11);
    ModuleChecks.randomize(lstm.wh(), 12);
    ModuleChecks.randomize(lstm.b(), 13);
    var unrolled = new UnrolledLSTM(H);
    unrolled.call(ModuleChecks.uniform(2, 1, B, F), unrolled.initialState(B, DType.FLOAT64));
    unrolled.wi().assign(lstm.wi().peek());
    unrolled.wh().assign(lstm.wh().peek());
    unrolled.b().assign(lstm.b().peek());
    return unrolled;
  }

  @Test
  void matchesDynamicUnrollOfAnLstmWithTheSameWeights() {
    var lstm = new LSTM(H);
    UnrolledLSTM unrolled = sameWeights(lstm);
    Tensor x = ModuleChecks.uniform(7, T, B, F);
    var initial = new LSTMState(ModuleChecks.uniform(8, B, H), ModuleChecks.uniform(9, B, H));

    Unrolled<LSTMState> expected = Unroll.dynamicUnroll(lstm, x, initial);
    Unrolled<LSTMState> actual = unrolled.call(x, initial);

    assertThat(actual.outputs().shape().dims()).containsExactly(T, B, H);
    ModuleChecks.assertClose(actual.outputs(), expected.outputs().toDoubleArray(), TOL);
    ModuleChecks.assertClose(
        actual.finalState().hidden(), expected.finalState().hidden().toDoubleArray(), TOL);
    ModuleChecks.assertClose(
        actual.finalState().cell(), expected.finalState().cell().toDoubleArray(), TOL);
  }

  @Test
  void variablesAreLstmsWithTheForgetBiasInTheBias() {
    var unrolled = UnrolledLSTM.builder(H).forgetBias(2.0).build();
    unrolled.call(Tensor.zeros(DType.FLOAT32, 2, B, F), unrolled.initialState(B));
    assertThat(unrolled.wi().shape().dims()).containsExactly(F, 4 * H);
    assertThat(unrolled.wh().shape().dims()).containsExactly(H, 4 * H);
    assertThat(unrolled.b().peek().toDoubleArray())
        .containsExactly(0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0);
    assertThat(unrolled.variables()).hasSize(3);
  }

  @Test
  void gradientsThroughTimeMatchFiniteDifferences() {
    var lstm = new LSTM(H);
    UnrolledLSTM unrolled = sameWeights(lstm);
    Tensor x = ModuleChecks.uniform(7, T, B, F);
    var initial = new LSTMState(ModuleChecks.uniform(8, B, H), ModuleChecks.uniform(9, B, H));
    ModuleChecks.checkGradients(
        unrolled,
        in -> {
          Unrolled<LSTMState> out = unrolled.call(in, initial);
          return out.outputs().sum().add(out.finalState().cell().sum());
        },
        x);
  }

  @Test
  void wrongSequenceOrState_isAnErrorNamingTheShapes() {
    var unrolled = new UnrolledLSTM(H);
    unrolled.call(Tensor.zeros(DType.FLOAT32, 2, B, F), unrolled.initialState(B));
    assertThatThrownBy(
            () -> unrolled.call(Tensor.zeros(DType.FLOAT32, 2, B, F + 1), unrolled.initialState(B)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3, 5]");
    assertThatThrownBy(
            () -> unrolled.call(Tensor.zeros(DType.FLOAT32, 2, B, F), unrolled.initialState(B + 1)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("f32[3, 3]");
    assertThatThrownBy(
            () -> unrolled.call(Tensor.zeros(DType.FLOAT32, B, F), unrolled.initialState(B)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[T, B, inputSize]");
  }
}
