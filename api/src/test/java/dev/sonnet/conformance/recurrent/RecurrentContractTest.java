package dev.sonnet.conformance.recurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.RestoreStatus;
import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.SequenceLayout;
import dev.sonnet.recurrent.StateList;
import dev.sonnet.recurrent.Step;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.recurrent.TrainableState;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.recurrent.VanillaRNN;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core contract: sizes, the LSTM's gate order, forget bias and projection, trainable initial
 * state, a custom core, and the errors for bad inputs, each naming the core and both shapes.
 */
class RecurrentContractTest {
  @TempDir Path dir;

  static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  @Test
  void lstm_forgetBiasIsInTheFSliceOfB_andTheVariablesHaveSonnetsShapes() {
    var lstm = LSTM.builder(3).projectionSize(2).usePeepholes(true).build();
    Tensor x = Tensor.ones(DType.FLOAT32, 5, 4);
    Step<LSTMState> step = lstm.call(x, lstm.initialState(x));
    assertThat(lstm.b().peek().toDoubleArray()).containsExactly(0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0);
    assertThat(ModuleChecks.variableLines(lstm))
        .containsExactlyInAnyOrder(
            "lstm/b -> f32[12]",
            "lstm/projection -> f32[3,2]",
            "lstm/w_f_diag -> f32[3]",
            "lstm/w_h -> f32[2,12]",
            "lstm/w_i -> f32[4,12]",
            "lstm/w_i_diag -> f32[3]",
            "lstm/w_o_diag -> f32[3]");
    assertThat(step.output().shape().dims()).containsExactly(5, 2);
    assertThat(step.state().hidden().shape().dims()).containsExactly(5, 2);
    assertThat(step.state().cell().shape().dims()).containsExactly(5, 3);
    assertThat(lstm.outputSize()).isEqualTo(Shape.of(2));
    assertThat(lstm.stateSize()).containsExactly(Shape.of(2), Shape.of(3));
  }

  @Test
  void lstm_gatesAreInTheOrderIFGO() {
    // Zero weights leave only the bias: four distinct gate biases and a known previous cell give
    // c' = sigmoid(bf) c + sigmoid(bi) tanh(bg) and h' = sigmoid(bo) tanh(c'); any other order of
    // the four slices gives other numbers.
    var lstm =
        LSTM.builder(1)
            .wiInit(Initializers.zeros())
            .whInit(Initializers.zeros())
            .forgetBias(0)
            .build();
    Tensor x = Tensor.ones(DType.FLOAT64, 1, 1);
    lstm.call(x, lstm.initialState(x));
    double bi = 0.3;
    double bf = -1.2;
    double bg = 0.7;
    double bo = 2.1;
    lstm.b().assign(Tensor.of(new double[] {bi, bf, bg, bo}, 4));
    double c = 0.8;
    LSTMState prev =
        new LSTMState(Tensor.zeros(DType.FLOAT64, 1, 1), Tensor.of(new double[] {c}, 1, 1));
    Step<LSTMState> step = lstm.call(x, prev);
    double cell = sigmoid(bf) * c + sigmoid(bi) * Math.tanh(bg);
    assertThat(step.state().cell().item())
        .isCloseTo(cell, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(step.output().item())
        .isCloseTo(sigmoid(bo) * Math.tanh(cell), org.assertj.core.data.Offset.offset(1e-15));
  }

  @Test
  void gru_andVanilla_haveSonnetsVariables() {
    var gru = new GRU(3);
    var rnn = new VanillaRNN(3);
    Tensor x = Tensor.ones(DType.FLOAT32, 2, 4);
    gru.call(x, gru.initialState(x));
    rnn.call(x, rnn.initialState(x));
    assertThat(ModuleChecks.variableLines(gru))
        .containsExactlyInAnyOrder("gru/b -> f32[9]", "gru/w_h -> f32[3,9]", "gru/w_i -> f32[4,9]");
    assertThat(ModuleChecks.variableLines(rnn))
        .containsExactlyInAnyOrder(
            "vanilla_rnn/b -> f32[3]",
            "vanilla_rnn/w_h -> f32[3,3]",
            "vanilla_rnn/w_i -> f32[4,3]");
    // Glorot uniform over [4, 9]: limit sqrt(6 / (4 + 9)) = 0.679
    double limit = Math.sqrt(6.0 / 13);
    for (double w : gru.wi().peek().toDoubleArray()) {
      assertThat(Math.abs(w)).isLessThanOrEqualTo(limit);
    }
  }

  // ---- trainable initial state -------------------------------------------------------------

  @Test
  void trainableState_learnsOneRowPerLeaf_tiledToTheBatch() {
    var lstm = new LSTM(3);
    var init = TrainableState.forCore(lstm);
    LSTMState s = lstm.initialState(init, 4);
    assertThat(s.hidden().shape().dims()).containsExactly(4, 3);
    assertThat(ModuleChecks.variableLines(init))
        .containsExactly("trainable_state/hidden -> f32[1,3]", "trainable_state/cell -> f32[1,3]");
    Variable hidden = init.leafVariables().get(0);
    hidden.assign(Tensor.of(new float[] {1, 2, 3}, 1, 3));
    assertThat(lstm.initialState(init, 2).hidden().toFloatArray())
        .containsExactly(1, 2, 3, 1, 2, 3);
    List<Tensor> grads;
    try (GradientTape tape = GradientTape.open()) {
      Tensor x = Tensor.ones(DType.FLOAT32, 4, 2);
      Tensor y = lstm.call(x, lstm.initialState(init, 4)).output().sum();
      grads = tape.gradient(y, init.trainableVariables());
    }
    assertThat(grads).hasSize(2);
    assertThat(grads.get(0).shape().dims()).containsExactly(1, 3);
    assertThat(grads.get(0).abs().sum().item()).isGreaterThan(0);
  }

  @Test
  void trainableState_mask_makesLeavesNonTrainable_andALoneTensorIsNamedState() {
    var masked =
        TrainableState.of(
            new LSTMState(Tensor.zeros(DType.FLOAT32, 2), Tensor.ones(DType.FLOAT32, 2)),
            List.of(true, false));
    masked.call(1);
    assertThat(ModuleChecks.variableLines(masked))
        .containsExactly(
            "trainable_state/hidden -> f32[1,2]",
            "trainable_state/cell -> f32[1,2] (non-trainable)");
    var lone = TrainableState.forCore(new GRU(2));
    lone.call(3);
    assertThat(ModuleChecks.variableLines(lone))
        .containsExactly("trainable_state/state -> f32[1,2]");
  }

  @Test
  void trainableState_restoresOnCreate() {
    var lstm = new LSTM(2);
    var init = TrainableState.forCore(lstm);
    init.call(1);
    init.leafVariables().get(1).assign(Tensor.of(new float[] {5, 6}, 1, 2));
    Path file = dir.resolve("init.safetensors");
    Checkpoint.of(init).save(file);

    var again = TrainableState.forCore(new LSTM(2));
    RestoreStatus status = Checkpoint.of(again).restore(file);
    Tensor cell = again.call(2).get(1);
    status.assertConsumed();
    assertThat(cell.toFloatArray()).containsExactly(5, 6, 5, 6);
  }

  @Test
  void trainableState_forAnotherCore_namesBothStructures() {
    var init = TrainableState.forCore(new GRU(2));
    var lstm = new LSTM(2);
    assertThatThrownBy(() -> lstm.initialState(init, 3))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[state]")
        .hasMessageContaining("[hidden, cell]")
        .hasMessageContaining("forCore");
  }

  // ---- a custom core -----------------------------------------------------------------------

  @Test
  void aCustomCoreWithAPairState_unrollsWithTheSameContract() {
    var core = new Add1RNN();
    Tensor x = ModuleChecks.range(0, 1, 3, 2, 2);
    Unrolled<StateList> out =
        Unroll.dynamicUnroll(
            core,
            x,
            core.initialState(2, x.dtype()),
            Tensor.of(new int[] {3, 2}, 2),
            SequenceLayout.TIME_MAJOR);
    assertThat(out.outputs().toDoubleArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 7, 8);
    assertThat(out.finalState().leaves().get(1).toDoubleArray()).containsExactly(3, 3, 2, 2);
  }

  // ---- bad input ---------------------------------------------------------------------------

  @Test
  void aStateOfAnotherStructure_namesTheCoreAndBothStructures() {
    var core = new Add1RNN();
    Tensor x = Tensor.ones(DType.FLOAT32, 2, 2);
    StateList one = StateList.of(new TensorState(Tensor.zeros(DType.FLOAT32, 2, 2)));
    assertThatThrownBy(() -> core.call(x, one))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Add1RNN 'add1rnn'")
        .hasMessageContaining("StateList(0 f32[2, 2])")
        .hasMessageContaining("StateList[0, 1]");
  }

  @Test
  void aStateOfTheWrongShape_namesTheCoreTheLeafAndBothShapes() {
    var lstm = new LSTM(3);
    Tensor x = Tensor.ones(DType.FLOAT32, 2, 4);
    var wrong = new LSTMState(Tensor.zeros(DType.FLOAT32, 2, 4), Tensor.zeros(DType.FLOAT32, 2, 3));
    assertThatThrownBy(() -> lstm.call(x, wrong))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("LSTM 'lstm'")
        .hasMessageContaining("leaf 'hidden' needs f32[2, 3]")
        .hasMessageContaining("but is f32[2, 4]");
  }

  @Test
  void anInputOfAnotherFeatureSize_namesTheCoreAndBothSizes() {
    var gru = new GRU(3);
    Tensor x = Tensor.ones(DType.FLOAT32, 2, 4);
    gru.call(x, gru.initialState(x));
    Tensor other = Tensor.ones(DType.FLOAT32, 2, 5);
    assertThatThrownBy(() -> gru.call(other, gru.initialState(other)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("GRU 'gru'")
        .hasMessageContaining("[2, 5]")
        .hasMessageContaining("built for 4");
  }

  @Test
  void anInputOfAnotherDtypeOrRank_isRefusedNamingTheCore() {
    var rnn = new VanillaRNN(3);
    Tensor x = Tensor.ones(DType.FLOAT64, 2, 4);
    rnn.call(x, rnn.initialState(x));
    Tensor f32 = Tensor.ones(DType.FLOAT32, 2, 4);
    assertThatThrownBy(() -> rnn.call(f32, rnn.initialState(f32)))
        .hasMessageContaining("VanillaRNN 'vanilla_rnn'")
        .hasMessageContaining("f32[2, 4]")
        .hasMessageContaining("input.cast(DType.FLOAT64)");
    Tensor rank3 = Tensor.ones(DType.FLOAT64, 5, 2, 4);
    assertThatThrownBy(() -> rnn.call(rank3, rnn.initialState(2, DType.FLOAT64)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[5, 2, 4]")
        .hasMessageContaining("Unroll");
  }

  @Test
  void aSequenceLengthLongerThanTheSequence_namesTheLengthsAndT() {
    var lstm = new LSTM(2);
    Tensor x = Tensor.ones(DType.FLOAT32, 5, 4, 3);
    Tensor lengths = Tensor.of(new int[] {3, 1, 6, 5}, 4);
    assertThatThrownBy(
            () ->
                Unroll.staticUnroll(
                    lstm, x, lstm.initialState(4), lengths, SequenceLayout.TIME_MAJOR))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LSTM 'lstm'")
        .hasMessageContaining("[3, 1, 6, 5]")
        .hasMessageContaining("outside [0, 5]");
    Tensor wrongCount = Tensor.of(new int[] {3, 1}, 2);
    assertThatThrownBy(
            () ->
                Unroll.dynamicUnroll(
                    lstm, x, lstm.initialState(4), wrongCount, SequenceLayout.TIME_MAJOR))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2]")
        .hasMessageContaining("[4]");
  }

  @Test
  void settings_areCheckedNamingTheCore() {
    assertThatThrownBy(() -> new LSTM(0)).hasMessageContaining("LSTM: hiddenSize must be >= 1");
    assertThatThrownBy(() -> LSTM.builder(2).cellClip(-1.0).build())
        .hasMessageContaining("cellClip must be > 0");
    assertThatThrownBy(() -> LSTM.builder(2).projectionInit(Initializers.ones()).build())
        .hasMessageContaining("projectionSize is null");
  }

  @Test
  void builders_atTheirDefaults_areTheShortConstructors_andTheReprOmitsDefaults() {
    assertThat(LSTM.builder(4).build().toString()).isEqualTo(new LSTM(4).toString());
    assertThat(GRU.builder(4).build().toString()).isEqualTo("GRU(hiddenSize=4)");
    assertThat(VanillaRNN.builder(4).build().toString()).isEqualTo("VanillaRNN(hiddenSize=4)");
    assertThat(LSTM.builder(4).forgetBias(0.5).name("enc").build().toString())
        .isEqualTo("LSTM(hiddenSize=4, forgetBias=0.5, name=\"enc\")");
  }
}
