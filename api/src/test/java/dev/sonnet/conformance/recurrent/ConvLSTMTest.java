package dev.sonnet.conformance.recurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.recurrent.Conv1DLSTM;
import dev.sonnet.recurrent.Conv2DLSTM;
import dev.sonnet.recurrent.Conv3DLSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.Step;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The convolutional LSTMs against an independent float64 reference (a direct convolution loop with
 * TensorFlow's SAME padding, then the LSTM gates) over three steps, their gradients through time
 * against finite differences, and the 1-d and 3-d shapes.
 *
 * <p>Tolerance {@code 1e-12}, as in {@link RecurrentCoresTest}: the same float64 sums in possibly
 * different orders, each a few dozen products of O(1) numbers through bounded tanh/sigmoid.
 */
class ConvLSTMTest {
  static final double TOL = 1e-12;
  static final int T = 3;
  static final int B = 2;
  static final int H = 3;
  static final int W = 4;
  static final int CIN = 2;
  static final int C = 2;
  static final int KH = 3;
  static final int KW = 2; // even: SAME pads 0 before and 1 after, as TensorFlow

  /** SAME, stride 1, channels-last {@code x [H, W, cin]}, {@code w [KH, KW, cin, cout]}. */
  static double[] conv(double[] x, int cin, double[] w, int cout) {
    int padT = (KH - 1) / 2;
    int padL = (KW - 1) / 2;
    double[] y = new double[H * W * cout];
    for (int r = 0; r < H; r++) {
      for (int q = 0; q < W; q++) {
        for (int o = 0; o < cout; o++) {
          double s = 0;
          for (int dy = 0; dy < KH; dy++) {
            for (int dx = 0; dx < KW; dx++) {
              int rr = r + dy - padT;
              int qq = q + dx - padL;
              if (rr < 0 || rr >= H || qq < 0 || qq >= W) {
                continue;
              }
              for (int i = 0; i < cin; i++) {
                s += x[(rr * W + qq) * cin + i] * w[((dy * KW + dx) * cin + i) * cout + o];
              }
            }
          }
          y[(r * W + q) * cout + o] = s;
        }
      }
    }
    return y;
  }

  static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /** One example's step: {@code {hidden, cell}} from x, h, c, each channels-last. */
  static double[][] step(double[] x, double[] h, double[] c, double[] wi, double[] wh, double[] b) {
    double[] gx = conv(x, CIN, wi, 4 * C);
    double[] gh = conv(h, C, wh, 4 * C);
    double[] nh = new double[H * W * C];
    double[] nc = new double[H * W * C];
    for (int p = 0; p < H * W; p++) {
      for (int k = 0; k < C; k++) {
        double[] g = new double[4];
        for (int gate = 0; gate < 4; gate++) {
          int idx = p * 4 * C + gate * C + k;
          g[gate] = gx[idx] + gh[idx] + b[gate * C + k];
        }
        double cell = sigmoid(g[1]) * c[p * C + k] + sigmoid(g[0]) * Math.tanh(g[2]);
        nc[p * C + k] = cell;
        nh[p * C + k] = sigmoid(g[3]) * Math.tanh(cell);
      }
    }
    return new double[][] {nh, nc};
  }

  static double[] slice(double[] a, int index, int size) {
    return java.util.Arrays.copyOfRange(a, index * size, (index + 1) * size);
  }

  static Conv2DLSTM builtAndRandomized() {
    var lstm = Conv2DLSTM.builder(new int[] {H, W, CIN}, C, KH, KW).build();
    Tensor x0 = ModuleChecks.uniform(1, B, H, W, CIN);
    lstm.call(x0, lstm.initialState(x0));
    long seed = 20;
    for (Variable v : lstm.variables()) {
      ModuleChecks.randomize(v, seed++);
    }
    return lstm;
  }

  @Test
  void conv2dLstm_matchesTheReferenceOverThreeSteps() {
    Conv2DLSTM lstm = builtAndRandomized();
    double[] wi = lstm.inputToHidden().w().peek().toDoubleArray();
    double[] wh = lstm.hiddenToHidden().w().peek().toDoubleArray();
    double[] b = lstm.b().peek().toDoubleArray();
    Tensor x = ModuleChecks.uniform(7, T, B, H, W, CIN);
    // A non-zero initial state, so the hidden-to-hidden path and the cell matter from step 1.
    int n = H * W * C;
    Tensor h0 = ModuleChecks.uniform(8, B, H, W, C);
    Tensor c0 = ModuleChecks.uniform(9, B, H, W, C);

    Unrolled<LSTMState> out = Unroll.dynamicUnroll(lstm, x, new LSTMState(h0, c0));

    double[] xs = x.toDoubleArray();
    double[] outputs = new double[T * B * n];
    double[] finalH = new double[B * n];
    double[] finalC = new double[B * n];
    for (int e = 0; e < B; e++) {
      double[] h = slice(h0.toDoubleArray(), e, n);
      double[] c = slice(c0.toDoubleArray(), e, n);
      for (int t = 0; t < T; t++) {
        double[][] s = step(slice(xs, t * B + e, H * W * CIN), h, c, wi, wh, b);
        h = s[0];
        c = s[1];
        System.arraycopy(h, 0, outputs, (t * B + e) * n, n);
      }
      System.arraycopy(h, 0, finalH, e * n, n);
      System.arraycopy(c, 0, finalC, e * n, n);
    }
    assertThat(out.outputs().shape().dims()).containsExactly(T, B, H, W, C);
    ModuleChecks.assertClose(out.outputs(), outputs, TOL);
    ModuleChecks.assertClose(out.finalState().hidden(), finalH, TOL);
    ModuleChecks.assertClose(out.finalState().cell(), finalC, TOL);
  }

  @Test
  void conv2dLstm_variablesAndForgetBias() {
    var lstm = Conv2DLSTM.builder(new int[] {H, W, CIN}, C, KH, KW).forgetBias(2.5).build();
    Tensor x0 = Tensor.zeros(DType.FLOAT32, B, H, W, CIN);
    lstm.call(x0, lstm.initialState(B));
    assertThat(lstm.inputToHidden().w().shape().dims()).containsExactly(KH, KW, CIN, 4 * C);
    assertThat(lstm.hiddenToHidden().w().shape().dims()).containsExactly(KH, KW, C, 4 * C);
    assertThat(lstm.inputToHidden().b()).isNull();
    assertThat(lstm.hiddenToHidden().b()).isNull();
    assertThat(lstm.b().peek().toDoubleArray()).containsExactly(0, 0, 2.5, 2.5, 0, 0, 0, 0);
    assertThat(lstm.variables()).hasSize(3);
  }

  @Test
  void conv2dLstm_gradientsThroughTimeMatchFiniteDifferences() {
    Conv2DLSTM lstm = builtAndRandomized();
    Tensor x = ModuleChecks.uniform(7, T, B, H, W, CIN);
    ModuleChecks.checkGradients(
        lstm,
        in -> {
          Unrolled<LSTMState> out =
              Unroll.dynamicUnroll(lstm, in, lstm.initialState(B, in.dtype()));
          return out.outputs().sum().add(out.finalState().cell().sum());
        },
        x);
  }

  @Test
  void conv1dLstm_shapes() {
    var lstm = new Conv1DLSTM(new int[] {5, 3}, 4, 3);
    Tensor x = Tensor.zeros(DType.FLOAT32, 6, 2, 5, 3);
    Unrolled<LSTMState> out = Unroll.dynamicUnroll(lstm, x, lstm.initialState(2));
    assertThat(out.outputs().shape().dims()).containsExactly(6, 2, 5, 4);
    assertThat(out.finalState().cell().shape().dims()).containsExactly(2, 5, 4);
    assertThat(lstm.inputToHidden().w().shape().dims()).containsExactly(3, 3, 16);
    assertThat(lstm.hiddenToHidden().w().shape().dims()).containsExactly(3, 4, 16);
    assertThat(lstm.outputSize().dims()).containsExactly(5, 4);
  }

  @Test
  void conv3dLstm_shapes() {
    var lstm = Conv3DLSTM.builder(new int[] {2, 3, 4, 1}, 2, 3, 1, 2).build();
    Tensor x = ModuleChecks.uniform(3, 2, 2, 2, 3, 4, 1).cast(DType.FLOAT32);
    Unrolled<LSTMState> out = Unroll.dynamicUnroll(lstm, x, lstm.initialState(2));
    assertThat(out.outputs().shape().dims()).containsExactly(2, 2, 2, 3, 4, 2);
    assertThat(out.finalState().hidden().shape().dims()).containsExactly(2, 2, 3, 4, 2);
    assertThat(lstm.inputToHidden().w().shape().dims()).containsExactly(3, 1, 2, 1, 8);
    assertThat(lstm.stateSize()).hasSize(2);
    assertThat(lstm.stateSize().get(1).dims()).containsExactly(2, 3, 4, 2);
  }

  @Test
  void channelsFirst_keepsTheChannelsAfterTheBatch() {
    var lstm =
        Conv2DLSTM.builder(new int[] {CIN, H, W}, C, 3)
            .dataFormat(DataFormat.CHANNELS_FIRST)
            .build();
    Tensor x = Tensor.zeros(DType.FLOAT32, B, CIN, H, W);
    Step<LSTMState> step = lstm.call(x, lstm.initialState(x));
    assertThat(step.output().shape().dims()).containsExactly(B, C, H, W);
    assertThat(lstm.outputSize().dims()).containsExactly(C, H, W);
    // Zero input and state: every gate is sigmoid(b); the cell is sigmoid(0) * tanh(0) = 0.
    assertThat(step.state().cell().toDoubleArray()).containsOnly(0.0);
  }

  @Test
  void wrongInputOrState_isAnErrorNamingTheShapes() {
    var lstm = new Conv2DLSTM(new int[] {H, W, CIN}, C, 3);
    Tensor x = Tensor.zeros(DType.FLOAT32, B, H, W + 1, CIN);
    assertThatThrownBy(() -> lstm.call(x, lstm.initialState(B)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 3, 5, 2]")
        .hasMessageContaining("[2, 3, 4, 2]");
    Tensor ok = Tensor.zeros(DType.FLOAT32, B, H, W, CIN);
    assertThatThrownBy(() -> lstm.call(ok, lstm.initialState(B + 1)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("f32[2, 3, 4, 2]");
    assertThatThrownBy(() -> new Conv2DLSTM(new int[] {H, W}, C, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inputShape");
    assertThat(List.of(lstm.kernelShape()[0], lstm.kernelShape()[1])).containsExactly(3, 3);
  }
}
