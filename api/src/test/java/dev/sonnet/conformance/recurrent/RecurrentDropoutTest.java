package dev.sonnet.conformance.recurrent;

import static dev.sonnet.conformance.recurrent.DeepRNNTest.close;
import static dev.sonnet.conformance.recurrent.DeepRNNTest.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.RecurrentDropoutCores;
import dev.sonnet.recurrent.RecurrentDropoutState;
import dev.sonnet.recurrent.Step;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link LSTM#withRecurrentDropout} against the (already tested) LSTM stepped by hand on the masked
 * hidden state, in float64.
 */
class RecurrentDropoutTest {
  @Test
  void trainCore_isTheLstmOnTheMaskedHidden_maskDrawnOnceAndKept() {
    RecurrentDropoutCores cores = LSTM.withRecurrentDropout(6, 0.5, 42);
    var train = cores.train();
    LSTM lstm = cores.test();
    assertThat(train.lstm()).isSameAs(lstm);
    RecurrentDropoutState s = train.initialState(3, DType.FLOAT64);
    Tensor mask = s.hiddenMask();
    assertThat(mask.shape().dims()).containsExactly(3, 6);
    for (double m : mask.toDoubleArray()) {
      assertThat(m).isIn(0.0, 2.0);
    }
    LSTMState ref = lstm.initialState(3, DType.FLOAT64);
    for (int t = 0; t < 4; t++) {
      Tensor x = input(3, 5, t);
      Step<RecurrentDropoutState> step = train.call(x, s);
      Step<LSTMState> want = lstm.call(x, new LSTMState(ref.hidden().mul(mask), ref.cell()));
      close(step.output(), want.output());
      close(step.state().lstm().hidden(), want.state().hidden());
      close(step.state().lstm().cell(), want.state().cell());
      assertThat(step.state().hiddenMask()).isSameAs(mask);
      s = step.state();
      ref = want.state();
    }
    // The test core shares the variables and has no dropout.
    assertThat(train.trainableVariables()).containsExactlyElementsOf(lstm.trainableVariables());
    assertThat(train.outputSize()).isEqualTo(lstm.outputSize());
  }

  @Test
  void unrolled_equalsHandSteps_andMasksAreFreshPerSequenceAndSeeded() {
    var cores = LSTM.withRecurrentDropout(4, 0.25, 7);
    var train = cores.train();
    Tensor x = Tensor.of(new double[3 * 2 * 5], 3, 2, 5).add(0.5);
    RecurrentDropoutState s0 = train.initialState(2, DType.FLOAT64, new Rng(1));
    Unrolled<RecurrentDropoutState> out = Unroll.dynamicUnroll(train, x, s0);
    LSTMState h = cores.test().initialState(2, DType.FLOAT64);
    Tensor last = null;
    for (Tensor xt : x.split(3, 0)) {
      Step<LSTMState> st =
          cores
              .test()
              .call(xt.squeeze(0), new LSTMState(h.hidden().mul(s0.hiddenMask()), h.cell()));
      h = st.state();
      last = st.output();
    }
    close(out.outputs().split(3, 0).get(2).squeeze(0), last);
    // Same explicit generator, same mask; the core's own generator draws a new one each sequence.
    close(train.initialState(2, DType.FLOAT64, new Rng(1)).hiddenMask(), s0.hiddenMask());
    var big = LSTM.withRecurrentDropout(100, 0.25, 3).train();
    double[] a = big.initialState(100, DType.FLOAT64).hiddenMask().toDoubleArray();
    double[] b = big.initialState(100, DType.FLOAT64).hiddenMask().toDoubleArray();
    assertThat(a).isNotEqualTo(b);
    int dropped = 0;
    for (double m : a) {
      assertThat(m).isIn(0.0, 1.0 / 0.75);
      dropped += m == 0 ? 1 : 0;
    }
    assertThat(dropped / 10000.0).isBetween(0.23, 0.27);
    // dropout 0: the train core is the plain LSTM.
    var none = LSTM.withRecurrentDropout(3, 0.0, 1);
    Tensor xs = input(2, 5, 1);
    close(
        none.train().call(xs, none.train().initialState(xs)).output(),
        none.test().call(xs, none.test().initialState(xs)).output());
  }

  @Test
  void errors_dropoutRange_andMaskShape() {
    assertThatThrownBy(() -> LSTM.withRecurrentDropout(3, 1.0, 1))
        .hasMessageContaining("LSTM.withRecurrentDropout")
        .hasMessageContaining("[0, 1)")
        .hasMessageContaining("1.0");
    assertThatThrownBy(() -> LSTM.withRecurrentDropout(3, -0.1, 1)).hasMessageContaining("-0.1");
    assertThatThrownBy(() -> LSTM.withRecurrentDropout(3, Double.NaN, 1))
        .hasMessageContaining("NaN");
    var train = LSTM.withRecurrentDropout(3, 0.5, 1).train();
    Tensor x = input(2, 5, 0);
    RecurrentDropoutState s = train.initialState(x);
    var bad = new RecurrentDropoutState(s.lstm(), Tensor.zeros(DType.FLOAT64, 2, 4));
    assertThatThrownBy(() -> train.call(x, bad))
        .hasMessageContaining("RecurrentDropoutLSTM 'recurrent_dropout_lstm")
        .hasMessageContaining("[2, 4]")
        .hasMessageContaining("[2, 3]");
    var wrongBatch = train.initialState(4, DType.FLOAT64);
    assertThatThrownBy(() -> train.call(x, wrongBatch))
        .hasMessageContaining("LSTM '")
        .hasMessageContaining("[4, 3]")
        .hasMessageContaining("[2, 5]");
  }
}
