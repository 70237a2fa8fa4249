package dev.sonnet.conformance.recurrent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.conformance.GradientCheck;
import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.conformance.recurrent.RecurrentReference.LstmWeights;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.RNNCore;
import dev.sonnet.recurrent.SequenceLayout;
import dev.sonnet.recurrent.State;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.recurrent.VanillaRNN;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cores against {@link RecurrentReference} (plain loops in float64) over several steps, with
 * and without sequence lengths, and their gradients through time against finite differences.
 *
 * <p>Tolerance {@code 1e-12} (relative above 1): the library and the reference compute the same
 * float64 sums in possibly different orders; each value is a few hundred operations on O(1) numbers
 * through bounded tanh/sigmoid, so the rounding differences stay near {@code 1e-15}, and {@code
 * 1e-12} leaves a wide margin while any wrong formula (an error of the order of the values) fails.
 */
class RecurrentCoresTest {
  static final double TOL = 1e-12;
  static final int T = 5;
  static final int B = 4;
  static final int F = 3;
  static final int H = 4;

  /** One example's step: state leaves in, state leaves out; the output is leaf 0. */
  interface RowStep {
    double[][] step(double[] x, double[][] state);
  }

  record Reference(double[] outputs, double[][] finalState) {}

  /**
   * Runs {@code step} per example from zero states, time-major {@code x [T, B, F]}; past an
   * example's length its output and state are those of its last step (zeros before the first).
   */
  static Reference unroll(double[] x, int[] lengths, int[] stateSizes, RowStep step) {
    int out = stateSizes[0];
    double[] outputs = new double[T * B * out];
    double[][] finals = new double[stateSizes.length][];
    for (int l = 0; l < stateSizes.length; l++) {
      finals[l] = new double[B * stateSizes[l]];
    }
    for (int b = 0; b < B; b++) {
      double[][] state = new double[stateSizes.length][];
      for (int l = 0; l < stateSizes.length; l++) {
        state[l] = new double[stateSizes[l]];
      }
      double[] prev = new double[out];
      for (int t = 0; t < T; t++) {
        if (lengths == null || t < lengths[b]) {
          state = step.step(RecurrentReference.row(x, t * B + b, F), state);
          prev = state[0];
        }
        System.arraycopy(prev, 0, outputs, (t * B + b) * out, out);
      }
      for (int l = 0; l < stateSizes.length; l++) {
        System.arraycopy(state[l], 0, finals[l], b * stateSizes[l], stateSizes[l]);
      }
    }
    return new Reference(outputs, finals);
  }

  static <S extends State<S>> void assertMatches(Unrolled<S> actual, Reference expected) {
    ModuleChecks.assertClose(actual.outputs(), expected.outputs(), TOL);
    List<Tensor> leaves = actual.finalState().leaves();
    assertThat(leaves).hasSize(expected.finalState().length);
    for (int l = 0; l < leaves.size(); l++) {
      ModuleChecks.assertClose(leaves.get(l), expected.finalState()[l], TOL);
    }
  }

  static double[] v(Variable var) {
    return var == null ? null : var.peek().toDoubleArray();
  }

  /** Builds {@code core} on a float64 step and sets every variable to uniform [-1, 1) values. */
  static void buildAndRandomize(RNNCore<?> core) {
    callOnce(core);
    long seed = 10;
    for (Variable var : core.variables()) {
      ModuleChecks.randomize(var, seed++);
    }
  }

  private static <S extends State<S>> void callOnce(RNNCore<S> core) {
    Tensor x0 = ModuleChecks.uniform(1, B, F);
    core.call(x0, core.initialState(x0));
  }

  static Tensor inputs() {
    return ModuleChecks.uniform(7, T, B, F);
  }

  static LstmWeights weights(LSTM lstm, Double clip) {
    int p = lstm.projectionSize() == null ? lstm.hiddenSize() : lstm.projectionSize();
    return new LstmWeights(
        lstm.hiddenSize(),
        v(lstm.wi()),
        v(lstm.wh()),
        v(lstm.b()),
        v(lstm.projection()),
        p,
        v(lstm.wfDiag()),
        v(lstm.wiDiag()),
        v(lstm.woDiag()),
        clip);
  }

  static RowStep lstmStep(LstmWeights w) {
    return (x, s) -> RecurrentReference.lstm(x, s[0], s[1], w);
  }

  // ---- forward over several steps ----------------------------------------------------------

  @Test
  void vanillaRnn_matchesTheReferenceOverFiveSteps() {
    var rnn = new VanillaRNN(H);
    buildAndRandomize(rnn);
    Tensor x = inputs();
    double[] wi = v(rnn.wi());
    double[] wh = v(rnn.wh());
    double[] b = v(rnn.b());
    Reference ref =
        unroll(
            x.toDoubleArray(),
            null,
            new int[] {H},
            (row, s) -> new double[][] {RecurrentReference.vanilla(row, s[0], wi, wh, b)});
    assertMatches(Unroll.dynamicUnroll(rnn, x, rnn.initialState(x.dim(1), x.dtype())), ref);
  }

  @Test
  void lstm_matchesTheReferenceOverFiveSteps() {
    var lstm = new LSTM(H);
    buildAndRandomize(lstm);
    Tensor x = inputs();
    Reference ref =
        unroll(x.toDoubleArray(), null, new int[] {H, H}, lstmStep(weights(lstm, null)));
    assertMatches(Unroll.staticUnroll(lstm, x, lstm.initialState(B, x.dtype())), ref);
  }

  @Test
  void lstmWithProjectionPeepholesAndClipping_matchesTheReference() {
    // Clip 0.4: with weights in [-1, 1) and 3 inputs the cell often exceeds it, so both branches
    // of the clip are exercised (asserted below).
    var lstm = LSTM.builder(H).projectionSize(2).usePeepholes(true).cellClip(0.4).build();
    buildAndRandomize(lstm);
    Tensor x = inputs();
    Reference ref = unroll(x.toDoubleArray(), null, new int[] {2, H}, lstmStep(weights(lstm, 0.4)));
    Unrolled<LSTMState> out = Unroll.dynamicUnroll(lstm, x, lstm.initialState(B, x.dtype()));
    assertMatches(out, ref);
    assertThat(out.outputs().shape().dims()).containsExactly(T, B, 2);
    double[] cell = out.finalState().cell().toDoubleArray();
    List<Double> magnitudes = java.util.Arrays.stream(cell).map(Math::abs).boxed().toList();
    assertThat(magnitudes).allMatch(c -> c <= 0.4).anyMatch(c -> c == 0.4).anyMatch(c -> c < 0.4);
  }

  @Test
  void gru_matchesTheReferenceOverFiveSteps() {
    var gru = new GRU(H);
    buildAndRandomize(gru);
    Tensor x = inputs();
    double[] wi = v(gru.wi());
    double[] wh = v(gru.wh());
    double[] b = v(gru.b());
    Reference ref =
        unroll(
            x.toDoubleArray(),
            null,
            new int[] {H},
            (row, s) -> new double[][] {RecurrentReference.gru(row, s[0], wi, wh, b)});
    assertMatches(Unroll.dynamicUnroll(gru, x, gru.initialState(x.dim(1), x.dtype())), ref);
  }

  // ---- sequence lengths --------------------------------------------------------------------

  @Test
  void sequenceLength_copiesOutputsAndStateFromTheLastStepOfEachExample() {
    var lstm = LSTM.builder(H).usePeepholes(true).build();
    buildAndRandomize(lstm);
    Tensor x = inputs();
    int[] lengths = {3, 1, 0, 5};
    Reference ref =
        unroll(x.toDoubleArray(), lengths, new int[] {H, H}, lstmStep(weights(lstm, null)));
    Unrolled<LSTMState> out =
        Unroll.dynamicUnroll(
            lstm,
            x,
            lstm.initialState(B, x.dtype()),
            Tensor.of(lengths, B),
            SequenceLayout.TIME_MAJOR);
    assertMatches(out, ref);
    double[] y = out.outputs().toDoubleArray();
    for (int j = 0; j < H; j++) {
      // example 0 stops after 3 steps: steps 3 and 4 repeat step 2; example 2 never runs: zeros
      assertThat(y[(3 * B) * H + j]).isEqualTo(y[(2 * B) * H + j]);
      assertThat(y[(4 * B) * H + j]).isEqualTo(y[(2 * B) * H + j]);
      assertThat(y[(4 * B + 2) * H + j]).isZero();
      assertThat(out.finalState().hidden().toDoubleArray()[H + j])
          .isEqualTo(y[(0 * B + 1) * H + j]);
    }
  }

  @Test
  void batchMajor_isTheTimeMajorUnrollTransposed() {
    var gru = new GRU(H);
    buildAndRandomize(gru);
    Tensor x = inputs();
    Tensor lengths = Tensor.of(new int[] {3, 1, 0, 5}, B);
    Unrolled<TensorState> timeMajor =
        Unroll.staticUnroll(
            gru, x, gru.initialState(x.dim(1), x.dtype()), lengths, SequenceLayout.TIME_MAJOR);
    Unrolled<TensorState> batchMajor =
        Unroll.staticUnroll(
            gru,
            x.permute(1, 0, 2),
            gru.initialState(B, x.dtype()),
            lengths,
            SequenceLayout.BATCH_MAJOR);
    assertThat(batchMajor.outputs().shape().dims()).containsExactly(B, T, H);
    assertThat(batchMajor.outputs().permute(1, 0, 2).toDoubleArray())
        .containsExactly(timeMajor.outputs().toDoubleArray());
    assertThat(batchMajor.finalState().value().toDoubleArray())
        .containsExactly(timeMajor.finalState().value().toDoubleArray());
  }

  // ---- gradients through time --------------------------------------------------------------

  /** Outputs and final state of an unroll, concatenated, so the check sees both. */
  static <S extends State<S>> Tensor everything(RNNCore<S> core, Tensor x, Tensor lengths) {
    Unrolled<S> out =
        Unroll.dynamicUnroll(
            core, x, core.initialState(x.dim(1), x.dtype()), lengths, SequenceLayout.TIME_MAJOR);
    Tensor all = out.outputs().reshape(-1);
    for (Tensor leaf : out.finalState().leaves()) {
      all = dev.sonnet.ops.ShapeOps.concat(0, all, leaf.reshape(-1));
    }
    return all;
  }

  static <S extends State<S>> void checkGradientsThroughTime(RNNCore<S> core) {
    buildAndRandomize(core);
    Tensor x = ModuleChecks.uniform(7, 3, B, F);
    Tensor lengths = Tensor.of(new int[] {3, 1, 0, 2}, B);
    GradientCheck.check(in -> everything(core, in[0], lengths), x);
    ModuleChecks.checkVariableGradients(core, () -> everything(core, x, lengths));
  }

  @Test
  void vanillaRnn_gradientsThroughTime_matchFiniteDifferences() {
    checkGradientsThroughTime(new VanillaRNN(H));
  }

  @Test
  void lstm_gradientsThroughTime_matchFiniteDifferences() {
    checkGradientsThroughTime(LSTM.builder(H).projectionSize(2).usePeepholes(true).build());
  }

  @Test
  void gru_gradientsThroughTime_matchFiniteDifferences() {
    checkGradientsThroughTime(new GRU(H));
  }
}
