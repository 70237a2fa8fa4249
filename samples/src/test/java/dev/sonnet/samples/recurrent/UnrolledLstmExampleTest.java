package dev.sonnet.samples.recurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class UnrolledLstmExampleTest {
  private static final int T = 6;
  private static final int F = 3;
  private static final int H = UnrolledLstmExample.HIDDEN_SIZE;
  private static final int B = UnrolledLstmExample.BATCH_SIZE;

  private static Tensor inputSequence() {
    Rng rng = new Rng(7);
    float[] x = new float[T * B * F];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    return Tensor.of(x, T, B, F);
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  @Test
  void outputSequence_isTimeMajor_andEndsWithTheFinalHiddenState() {
    var lstm = new LSTM(H);

    Unrolled<LSTMState> out = UnrolledLstmExample.run(lstm, inputSequence());

    assertThat(out.outputs().shape()).isEqualTo(Shape.of(T, B, H));
    assertThat(out.finalState().hidden().shape()).isEqualTo(Shape.of(B, H));
    assertThat(out.finalState().cell().shape()).isEqualTo(Shape.of(B, H));
    float[] outputs = out.outputs().toFloatArray();
    float[] last = new float[B * H];
    System.arraycopy(outputs, (T - 1) * B * H, last, 0, B * H);
    assertThat(out.finalState().hidden().toFloatArray()).containsExactly(last);
  }

  @Test
  void outputSequence_equalsTheLstmEquations_stepByStep_inFloat64() {
    var lstm = new LSTM(H);
    Tensor x = inputSequence();

    Unrolled<LSTMState> out = UnrolledLstmExample.run(lstm, x);

    double[] wi = lstm.wi().peek().toDoubleArray(); // [F, 4H], gates i, f, g, o
    double[] wh = lstm.wh().peek().toDoubleArray(); // [H, 4H]
    double[] b = lstm.b().peek().toDoubleArray(); // [4H], forget bias folded in
    double[] xs = x.toDoubleArray();
    double[] h = new double[B * H];
    double[] c = new double[B * H];
    double[] got = out.outputs().toDoubleArray();
    double maxOutput = 0;
    for (int t = 0; t < T; t++) {
      double[] nh = new double[B * H];
      double[] nc = new double[B * H];
      for (int n = 0; n < B; n++) {
        for (int j = 0; j < H; j++) {
          double[] g = new double[4];
          for (int k = 0; k < 4; k++) {
            int col = k * H + j;
            double s = b[col];
            for (int f = 0; f < F; f++) {
              s += xs[(t * B + n) * F + f] * wi[f * 4 * H + col];
            }
            for (int q = 0; q < H; q++) {
              s += h[n * H + q] * wh[q * 4 * H + col];
            }
            g[k] = s;
          }
          double cell = sigmoid(g[1]) * c[n * H + j] + sigmoid(g[0]) * Math.tanh(g[2]);
          nc[n * H + j] = cell;
          nh[n * H + j] = sigmoid(g[3]) * Math.tanh(cell);
        }
      }
      h = nh;
      c = nc;
      for (int i = 0; i < B * H; i++) {
        assertThat(got[t * B * H + i]).as("output[%d] at %d", t, i).isCloseTo(h[i], within(1e-5));
        maxOutput = Math.max(maxOutput, Math.abs(h[i]));
      }
    }
    double[] cell = out.finalState().cell().toDoubleArray();
    for (int i = 0; i < B * H; i++) {
      assertThat(cell[i]).isCloseTo(c[i], within(1e-5));
    }
    assertThat(maxOutput).as("a non-trivial sequence").isGreaterThan(0.1).isLessThan(1);
  }

  @Test
  void initialState_isZeros_ofTheReadmesBatch() {
    var lstm = new LSTM(H);

    LSTMState s = lstm.initialState(B);

    assertThat(s.hidden().shape()).isEqualTo(Shape.of(B, H));
    assertThat(s.hidden().toFloatArray()).containsOnly(0f);
    assertThat(s.cell().toFloatArray()).containsOnly(0f);
  }
}
