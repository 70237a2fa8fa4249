package dev.sonnet.conformance.recurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.Layers;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.recurrent.DeepRNN;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.StateList;
import dev.sonnet.recurrent.Step;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.recurrent.VanillaRNN;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DeepRNN} against composing its (already tested) cores by hand, step by step, in float64:
 * the same instances, so the same variables; the sums are the same ops in the same order, so the
 * values agree to {@code 1e-12}.
 */
class DeepRNNTest {
  static final double TOL = 1e-12;

  static Tensor input(int b, int f, double seed) {
    double[] v = new double[b * f];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.sin(seed + 0.37 * i);
    }
    return Tensor.of(v, b, f);
  }

  static void close(Tensor actual, Tensor expected) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    double[] a = actual.toDoubleArray();
    double[] e = expected.toDoubleArray();
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i])
          .as("element %d", i)
          .isCloseTo(e[i], org.assertj.core.data.Offset.offset(TOL));
    }
  }

  @Test
  void plainStack_isTheCoresAndLayersComposed_stateOneEntryPerCore() {
    var rnn = new VanillaRNN(4);
    var lstm = new LSTM(3);
    var deep = DeepRNN.of(rnn, Layers.tanh(), lstm);
    StateList s = deep.initialState(input(2, 5, 0));
    assertThat(s.items()).hasSize(2);
    TensorState s0 = rnn.initialState(input(2, 5, 0));
    LSTMState s1 = lstm.initialState(input(2, 5, 0));
    for (int t = 0; t < 3; t++) {
      Tensor x = input(2, 5, t);
      Step<StateList> step = deep.call(x, s);
      Step<TensorState> a = rnn.call(x, s0);
      Step<LSTMState> b = lstm.call(a.output().tanh(), s1);
      close(step.output(), b.output());
      close(step.state().items().get(0).leaves().get(0), a.state().value());
      close(step.state().items().get(1).leaves().get(1), b.state().cell());
      s = step.state();
      s0 = a.state();
      s1 = b.state();
    }
    assertThat(deep.outputSize().dims()).containsExactly(3);
    assertThat(deep.skipConnections()).isFalse();
  }

  @Test
  void skipConnections_concatInputToEachLaterCore_andConcatOutputs() {
    var a = new VanillaRNN(4);
    var b = new GRU(3);
    var deep = DeepRNN.deepRnnWithSkipConnections(List.of(a, b));
    Tensor x = input(2, 5, 1);
    Step<StateList> step = deep.call(x, deep.initialState(x));
    Step<TensorState> sa = a.call(x, a.initialState(x));
    Step<TensorState> sb = b.call(ShapeOps.concat(-1, x, sa.output()), b.initialState(x));
    close(step.output(), ShapeOps.concat(-1, sa.output(), sb.output()));
    assertThat(deep.outputSize().dims()).containsExactly(7);

    var lastOnly =
        DeepRNN.deepRnnWithSkipConnections(List.of(new VanillaRNN(4), new GRU(3)), false);
    assertThat(lastOnly.call(x, lastOnly.initialState(x)).output().shape().dims())
        .containsExactly(2, 3);
  }

  @Test
  void residualConnections_addEachCoresInput() {
    var a = new VanillaRNN(5);
    var b = new LSTM(5);
    var deep = DeepRNN.deepRnnWithResidualConnections(List.of(a, b));
    Tensor x = input(2, 5, 2);
    Step<StateList> step = deep.call(x, deep.initialState(x));
    Step<TensorState> sa = a.call(x, a.initialState(x));
    Tensor h = sa.output().add(x);
    Step<LSTMState> sb = b.call(h, b.initialState(x));
    close(step.output(), sb.output().add(h));
    close(step.state().items().get(1).leaves().get(1), sb.state().cell());
  }

  @Test
  void errors_nameTheStackAndBothStructuresOrShapes() {
    var deep = DeepRNN.of(new VanillaRNN(4), new LSTM(3));
    Tensor x = input(2, 5, 0);
    assertThatThrownBy(() -> deep.call(x, StateList.of(new LSTM(3).initialState(x))))
        .hasMessageContaining("DeepRNN 'deep_rnn'")
        .hasMessageContaining("StateList(0_hidden f64[2, 3], 0_cell f64[2, 3])")
        .hasMessageContaining("StateList[0, 1_hidden, 1_cell]");
    var residual = DeepRNN.deepRnnWithResidualConnections(List.of(new VanillaRNN(4)));
    assertThatThrownBy(() -> residual.call(x, residual.initialState(x)))
        .hasMessageContaining("DeepRNN")
        .hasMessageContaining("[2, 4]")
        .hasMessageContaining("[2, 5]");
    assertThatThrownBy(
            () -> DeepRNN.builder(new LSTM(3), Layers.relu()).skipConnections(true).build())
        .hasMessageContaining("layer 1");
    assertThatThrownBy(() -> DeepRNN.of(new LSTM(3), "x")).hasMessageContaining("java.lang.String");
  }
}
