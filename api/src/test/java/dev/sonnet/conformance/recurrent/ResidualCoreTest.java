package dev.sonnet.conformance.recurrent;

import static dev.sonnet.conformance.recurrent.DeepRNNTest.close;
import static dev.sonnet.conformance.recurrent.DeepRNNTest.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.ResidualCore;
import dev.sonnet.recurrent.StateList;
import dev.sonnet.recurrent.Step;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link ResidualCore} against its (already tested) wrapped core plus the input, by hand, in
 * float64: the same instance, so the same variables.
 */
class ResidualCoreTest {
  @Test
  void stepByStep_isTheCoreOutputPlusInput_stateTheCores() {
    var lstm = new LSTM(5);
    var res = new ResidualCore(lstm);
    StateList s = res.initialState(input(2, 5, 0));
    assertThat(s.items()).hasSize(1);
    LSTMState ref = lstm.initialState(input(2, 5, 0));
    for (int t = 0; t < 3; t++) {
      Tensor x = input(2, 5, t);
      Step<StateList> step = res.call(x, s);
      Step<LSTMState> want = lstm.call(x, ref);
      close(step.output(), want.output().add(x));
      LSTMState got = (LSTMState) res.wrappedState(step.state());
      close(got.hidden(), want.state().hidden());
      close(got.cell(), want.state().cell());
      s = step.state();
      ref = want.state();
    }
    assertThat(res.outputSize().dims()).containsExactly(5);
    assertThat(res.stateSize()).isEqualTo(lstm.stateSize());
    assertThat(res.core()).isSameAs(lstm);
    assertThat(res.trainableVariables()).hasSize(lstm.trainableVariables().size());
  }

  @Test
  void unrolled_withLengths_matchesTheCoreUnrolledPlusInputs() {
    var gru = new GRU(4);
    var res = new ResidualCore(gru);
    double[] v = new double[5 * 3 * 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.cos(0.3 * i);
    }
    Tensor x = Tensor.of(v, 5, 3, 4);
    Tensor lengths = Tensor.of(new int[] {5, 2, 0}, 3);
    Unrolled<StateList> got =
        Unroll.dynamicUnroll(
            res,
            x,
            res.initialState(3, x.dtype()),
            lengths,
            dev.sonnet.recurrent.SequenceLayout.TIME_MAJOR);
    // By hand: with full lengths the residual commutes with the unroll; compare step by step.
    TensorState s = gru.initialState(3, x.dtype());
    Unrolled<TensorState> plain = Unroll.dynamicUnroll(gru, x, s);
    Unrolled<StateList> full = Unroll.dynamicUnroll(res, x, res.initialState(3, x.dtype()));
    close(full.outputs(), plain.outputs().add(x));
    close(((TensorState) res.wrappedState(full.finalState())).value(), plain.finalState().value());
    Unrolled<TensorState> plainLen =
        Unroll.dynamicUnroll(gru, x, s, lengths, dev.sonnet.recurrent.SequenceLayout.TIME_MAJOR);
    close(
        ((TensorState) res.wrappedState(got.finalState())).value(), plainLen.finalState().value());
  }

  @Test
  void errors_nameTheCoreAndBothShapes() {
    var res = new ResidualCore(new LSTM(3));
    Tensor x = input(2, 3, 0);
    assertThatThrownBy(
            () -> new ResidualCore(new LSTM(4)).call(x, StateList.of(new LSTM(4).initialState(x))))
        .hasMessageContaining("ResidualCore 'residual_core")
        .hasMessageContaining("LSTM 'lstm")
        .hasMessageContaining("[2, 4]")
        .hasMessageContaining("[2, 3]");
    assertThatThrownBy(() -> res.call(x, StateList.of(new GRU(3).initialState(x))))
        .hasMessageContaining("LSTM '");
    assertThatThrownBy(() -> res.call(x, null)).hasMessageContaining("ResidualCore");
    assertThatThrownBy(() -> new ResidualCore(null)).hasMessageContaining("ResidualCore");
  }
}
