package dev.sonnet.samples.recurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.recurrent.Step;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class Add1RNNTest {
  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }

  private static Tensor ramp(int... shape) {
    int n = (int) Shape.of(shape).size();
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = i * 0.25f - 3;
    }
    return Tensor.of(a, shape);
  }

  @Test
  void initialState_isAPairOfZeros_batchByHidden() {
    var core = new Add1RNN(4);

    Add1RNN.PairState s = core.initialState(2);

    assertThat(s.state1().shape()).isEqualTo(Shape.of(2, 4));
    assertThat(s.state2().shape()).isEqualTo(Shape.of(2, 4));
    assertThat(s.state1().toFloatArray()).containsOnly(0f);
    assertThat(s.state2().toFloatArray()).containsOnly(0f);
    assertThat(core.stateSize()).containsExactly(Shape.of(4), Shape.of(4));
    assertThat(core.outputSize()).isEqualTo(Shape.of(4));
    assertThat(s.leafNames()).containsExactly("state1", "state2");
  }

  @Test
  void call_addsOneToEachState_andOutputsZeros() {
    var core = new Add1RNN(4);
    var prev =
        new Add1RNN.PairState(
            Tensor.of(filled(8, 0.5f), 2, 4),
            Tensor.of(new float[] {-2, -1, 0, 1, 2, 3, 4, 5}, 2, 4));

    Step<Add1RNN.PairState> step = core.call(ramp(2, 7), prev);

    assertThat(step.output().shape()).isEqualTo(Shape.of(2, 4));
    assertThat(step.output().toFloatArray()).containsOnly(0f);
    assertThat(step.state().state1().toFloatArray()).containsOnly(1.5f);
    assertThat(step.state().state2().toFloatArray()).containsExactly(-1, 0, 1, 2, 3, 4, 5, 6);
  }

  @Test
  void unrolled_overThreeSteps_countsTheSteps() {
    var core = new Add1RNN(4);
    Tensor x = ramp(3, 2, 5); // [T, B, F]

    Unrolled<Add1RNN.PairState> out = Unroll.dynamicUnroll(core, x, core.initialState(2));

    assertThat(out.outputs().shape()).isEqualTo(Shape.of(3, 2, 4));
    assertThat(out.outputs().toFloatArray()).containsOnly(0f);
    assertThat(out.finalState().state1().toFloatArray()).containsExactly(filled(8, 3f));
    assertThat(out.finalState().state2().toFloatArray()).containsExactly(filled(8, 3f));
  }

  @Test
  void unrolled_withSequenceLengths_stopsEachExampleAtItsLength() {
    var core = new Add1RNN(2);
    Tensor x = ramp(5, 3, 1);
    Tensor lengths = Tensor.of(new int[] {5, 2, 0}, 3);

    Unrolled<Add1RNN.PairState> out =
        Unroll.staticUnroll(
            core, x, core.initialState(3), lengths, dev.sonnet.recurrent.SequenceLayout.TIME_MAJOR);

    assertThat(out.finalState().state1().toFloatArray()).containsExactly(5, 5, 2, 2, 0, 0);
    assertThat(out.finalState().state2().toFloatArray()).containsExactly(5, 5, 2, 2, 0, 0);
  }

  @Test
  void call_withAStateOfAnotherBatch_namesTheCoreAndShapes() {
    var core = new Add1RNN(4);

    assertThatThrownBy(() -> core.call(ramp(3, 2), core.initialState(2)))
        .hasMessageContaining("Add1RNN 'add1_rnn'")
        .hasMessageContaining("[3, 2]");
  }

  @Test
  void name_isAdd1Rnn_unlessGiven() {
    assertThat(new Add1RNN(1).name()).isEqualTo("add1_rnn");
    assertThat(new Add1RNN(1, "counter").name()).isEqualTo("counter");
    assertThat(List.of(new Add1RNN(1).initialState(1, DType.FLOAT64).state1().dtype()))
        .containsExactly(DType.FLOAT64);
  }
}
