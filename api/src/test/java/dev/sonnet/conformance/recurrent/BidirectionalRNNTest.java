package dev.sonnet.conformance.recurrent;

import static dev.sonnet.conformance.recurrent.DeepRNNTest.close;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.ops.ShapeOps;
import dev.sonnet.recurrent.BidirectionalRNN;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.SequenceLayout;
import dev.sonnet.recurrent.StateList;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link BidirectionalRNN} against two {@link Unroll#dynamicUnroll} calls of the same (already
 * tested) cores, the backward one on an input reversed by hand on the host, in float64.
 */
class BidirectionalRNNTest {
  static final int T = 5;
  static final int B = 3;
  static final int F = 4;

  static double[] values() {
    double[] v = new double[T * B * F];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.sin(0.3 + 0.41 * i);
    }
    return v;
  }

  /** {@code v [T, B, F]} with example b's first {@code len[b]} steps reversed, on the host. */
  static double[] reversed(double[] v, int[] len, int f) {
    double[] out = new double[v.length];
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        int src = t < len[b] ? len[b] - 1 - t : t;
        System.arraycopy(v, (src * B + b) * f, out, (t * B + b) * f, f);
      }
    }
    return out;
  }

  @Test
  void fullLength_isForwardUnrollConcatReversedBackwardUnroll() {
    check(new int[] {T, T, T}, false);
  }

  @Test
  void withLengths_eachExampleReversedWithinItsLength() {
    check(new int[] {5, 2, 0}, true);
    check(new int[] {3, 5, 1}, true);
  }

  private void check(int[] len, boolean withLengths) {
    var fw = new LSTM(3);
    var bw = new GRU(2);
    var bi = new BidirectionalRNN(fw, bw);
    double[] v = values();
    Tensor x = Tensor.of(v, T, B, F);
    Tensor lengths = withLengths ? Tensor.of(len, B) : null;
    Unrolled<StateList> got = bi.call(x, bi.initialState(B, DType.FLOAT64), lengths);

    Unrolled<LSTMState> f =
        Unroll.dynamicUnroll(
            fw, x, fw.initialState(B, DType.FLOAT64), lengths, SequenceLayout.TIME_MAJOR);
    Tensor xr = Tensor.of(reversed(v, len, F), T, B, F);
    Unrolled<TensorState> b =
        Unroll.dynamicUnroll(
            bw, xr, bw.initialState(B, DType.FLOAT64), lengths, SequenceLayout.TIME_MAJOR);
    Tensor bOut = Tensor.of(reversed(b.outputs().toDoubleArray(), len, 2), T, B, 2);
    close(got.outputs(), ShapeOps.concat(-1, f.outputs(), bOut));
    LSTMState gf = (LSTMState) got.finalState().items().get(0);
    TensorState gb = (TensorState) got.finalState().items().get(1);
    close(gf.hidden(), f.finalState().hidden());
    close(gf.cell(), f.finalState().cell());
    close(gb.value(), b.finalState().value());
    assertThat(got.outputs().shape().dims()).containsExactly(T, B, 5);
  }

  @Test
  void backwardStepZero_seesTheWholeSequence_gradientsReachBothCores() {
    var bi = new BidirectionalRNN(new LSTM(2), new LSTM(2));
    Tensor x = Tensor.of(values(), T, B, F);
    Unrolled<StateList> out = bi.call(x);
    // The backward half at t = 0 is the backward core's output after its last step: its final
    // hidden state.
    Tensor first = out.outputs().split(T, 0).get(0).squeeze(0).split(2, 1).get(1);
    close(first, ((LSTMState) out.finalState().items().get(1)).hidden());
    assertThat(bi.trainableVariables()).hasSize(6);
  }

  @Test
  void errors_nameTheModuleAndShapes() {
    var bi = new BidirectionalRNN(new LSTM(3), new GRU(2));
    Tensor x = Tensor.of(values(), T, B, F);
    assertThatThrownBy(() -> bi.call(Tensor.zeros(DType.FLOAT64, B, F)))
        .hasMessageContaining("BidirectionalRNN 'bidirectional_rnn")
        .hasMessageContaining("[3, 4]");
    assertThatThrownBy(
            () -> bi.call(x, bi.initialState(B, DType.FLOAT64), Tensor.of(new int[] {1, 2}, 2)))
        .hasMessageContaining("BidirectionalRNN")
        .hasMessageContaining("[2]")
        .hasMessageContaining("[3]");
    assertThatThrownBy(
            () -> bi.call(x, bi.initialState(B, DType.FLOAT64), Tensor.of(new int[] {1, 6, 2}, 3)))
        .hasMessageContaining("BidirectionalRNN")
        .hasMessageContaining("[0, 5]");
    assertThatThrownBy(() -> bi.call(x, StateList.of(new GRU(2).initialState(B, DType.FLOAT64))))
        .hasMessageContaining("BidirectionalRNN")
        .hasMessageContaining("LSTM '")
        .hasMessageContaining("GRU '");
    assertThatThrownBy(() -> bi.call(x, bi.initialState(2, DType.FLOAT64)))
        .hasMessageContaining("LSTM '")
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("[3, 4]");
    var lstm = new LSTM(2);
    assertThatThrownBy(() -> new BidirectionalRNN(lstm, lstm))
        .hasMessageContaining("same instance");
  }
}
