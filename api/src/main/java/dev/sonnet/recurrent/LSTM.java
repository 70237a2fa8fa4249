package dev.sonnet.recurrent;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * Long short-term memory (Hochreiter and Schmidhuber, 1997), Sonnet's {@code LSTM}, with Sonnet 1's
 * cell clipping and peepholes.
 *
 * <pre>
 * [i, f, g, o] = x w_i + h w_h + b                  (gate order i, f, g, o; each [batch, H])
 * i = sigmoid(i + w_i_diag * c)                     (peepholes: the previous cell c)
 * f = sigmoid(f + w_f_diag * c)
 * c' = f * c + i * tanh(g)                          (then clipped to [-cellClip, cellClip])
 * o = sigmoid(o + w_o_diag * c')                    (peephole: the new cell c')
 * h' = o * tanh(c')                                 (then h' projection, with a projection)
 * </pre>
 *
 * <p><b>Shapes.</b> Input {@code [batch, inputSize]}; state {@link LSTMState} {@code hidden [batch,
 * P]}, {@code cell [batch, H]}; output {@code [batch, P]} (the new hidden), where {@code H} is
 * {@code hiddenSize} and {@code P} is {@code projectionSize}, or {@code H} without a projection.
 * The input's dtype must be the variables'.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code w_i:[inputSize,
 * 4H]} (default: truncated normal, standard deviation {@code 1 / sqrt(inputSize)}), {@code w_h:[P,
 * 4H]} ({@code 1 / sqrt(P)}), {@code b:[4H]} ({@code bInit}, zeros by default, plus {@code
 * forgetBias} on the f-slice {@code [H, 2H)}: the forget bias lives in the saved bias), with a
 * projection {@code projection:[H, P]} ({@code 1 / sqrt(H)}), with peepholes {@code w_f_diag},
 * {@code w_i_diag}, {@code w_o_diag} of shape {@code [H]} (zeros: the core starts as the plain
 * LSTM).
 *
 * <pre>{@code
 * var lstm = LSTM.builder(64).projectionSize(32).cellClip(3.0).build();
 * Unrolled<LSTMState> out = Unroll.dynamicUnroll(lstm, x, lstm.initialState(x.dim(1)));
 * out.outputs();   // [T, B, 32]; out.finalState().cell() [B, 64]
 * }</pre>
 */
public final class LSTM extends RNNCore<LSTMState> {
  /** {@code null}: no projection, so the hidden state and output have {@code hiddenSize} units. */
  public static final Integer DEFAULT_PROJECTION_SIZE = null;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(hiddenSize)}, chosen
   * on the first call (Sonnet's); must stay null without a projection.
   */
  public static final Initializer DEFAULT_PROJECTION_INIT = null;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(inputSize)}, chosen on
   * the first call, keeping the gates' pre-activations near unit scale (Sonnet's).
   */
  public static final Initializer DEFAULT_WI_INIT = null;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(P)} ({@code P} the
   * hidden state's size), matching the input term's scale (Sonnet's).
   */
  public static final Initializer DEFAULT_WH_INIT = null;

  /** {@code null}: zeros (before the forget bias is added), so every gate starts at one half. */
  public static final Initializer DEFAULT_B_INIT = null;

  /**
   * {@code 1.0}: the forget gate starts at {@code sigmoid(1) ~ 0.73}, so the cell remembers from
   * the start and gradients flow through time (Jozefowicz et al., 2015; Sonnet's default).
   */
  public static final double DEFAULT_FORGET_BIAS = 1.0;

  /** {@code null}: no clipping, as in Sonnet; set it to bound the cell when it explodes. */
  public static final Double DEFAULT_CELL_CLIP = null;

  /** {@code false}: the gates see only the input and hidden state, as in Sonnet 2. */
  public static final boolean DEFAULT_USE_PEEPHOLES = false;

  final int hiddenSize;
  final Integer projectionSize;
  final Initializer projectionInit;
  final Initializer wiInit;
  final Initializer whInit;
  final Initializer bInit;
  final double forgetBias;
  final Double cellClip;
  final boolean usePeepholes;
  @Param Variable wi;
  @Param Variable wh;
  @Param Variable b;
  @Param Variable projection;
  @Param Variable wfDiag;
  @Param Variable wiDiag;
  @Param Variable woDiag;

  /** An LSTM with {@code hiddenSize} units and every other setting at its default. */
  public LSTM(int hiddenSize) {
    this(
        hiddenSize,
        DEFAULT_PROJECTION_SIZE,
        DEFAULT_PROJECTION_INIT,
        DEFAULT_WI_INIT,
        DEFAULT_WH_INIT,
        DEFAULT_B_INIT,
        DEFAULT_FORGET_BIAS,
        DEFAULT_CELL_CLIP,
        DEFAULT_USE_PEEPHOLES,
        null);
  }

  /**
   * Starts an LSTM with every other setting at its default, e.g. {@code
   * LSTM.builder(64).projectionSize(32).usePeepholes(true).build()}.
   *
   * @param hiddenSize the number of cell units {@code H}, at least 1
   */
  public static LSTMBuilder builder(int hiddenSize) {
    return new LSTMBuilder(hiddenSize);
  }

  /**
   * Sonnet 2's {@code lstm_with_recurrent_dropout}: an LSTM with {@code hiddenSize} units and
   * variational recurrent dropout (Gal and Ghahramani, 2016) for training, and the same LSTM
   * without it for evaluation.
   *
   * <pre>{@code
   * RecurrentDropoutCores cores = LSTM.withRecurrentDropout(64, 0.25, 42);
   * var train = cores.train();      // state (lstm state, hidden mask): one mask per sequence
   * Unroll.dynamicUnroll(train, x, train.initialState(x.dim(1)));
   * var test = cores.test();        // the plain LSTM, the same variables
   * }</pre>
   *
   * @param dropout the probability of dropping a hidden unit, in {@code [0, 1)}
   * @param seed the seed of the training core's mask generator
   * @throws IllegalArgumentException if {@code dropout} is outside {@code [0, 1)}
   */
  public static RecurrentDropoutCores withRecurrentDropout(
      int hiddenSize, double dropout, long seed) {
    RecurrentDropoutLSTM.checkDropout("LSTM.withRecurrentDropout", dropout);
    LSTM lstm = new LSTM(hiddenSize);
    return new RecurrentDropoutCores(new RecurrentDropoutLSTM(lstm, dropout, seed, null), lstm);
  }

  /** Every setting; called by {@link LSTMBuilder}, which documents each and its default. */
  @Settings
  LSTM(
      int hiddenSize,
      Integer projectionSize,
      Initializer projectionInit,
      Initializer wiInit,
      Initializer whInit,
      Initializer bInit,
      double forgetBias,
      Double cellClip,
      boolean usePeepholes,
      String name) {
    super(name);
    Cores.checkSize("LSTM", "hiddenSize", hiddenSize);
    if (projectionSize != null) {
      Cores.checkSize("LSTM", "projectionSize", projectionSize);
    } else if (projectionInit != null) {
      throw new IllegalArgumentException(
          "LSTM: projectionInit is set but projectionSize is null; there is no projection to"
              + " initialise (set projectionSize, or leave projectionInit unset)");
    }
    if (!Double.isFinite(forgetBias)) {
      throw new IllegalArgumentException("LSTM: forgetBias must be finite, got " + forgetBias);
    }
    if (cellClip != null && !(cellClip > 0 && cellClip < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(
          "LSTM: cellClip must be > 0 and finite (the cell is clipped to [-cellClip, cellClip]),"
              + " got "
              + cellClip
              + "; leave it null for no clipping");
    }
    this.hiddenSize = hiddenSize;
    this.projectionSize = projectionSize;
    this.projectionInit = projectionInit;
    this.wiInit = wiInit;
    this.whInit = whInit;
    this.bInit = bInit;
    this.forgetBias = forgetBias;
    this.cellClip = cellClip;
    this.usePeepholes = usePeepholes;
  }

  /** The hidden state's size: {@code projectionSize}, or {@code hiddenSize} without one. */
  private int hiddenStateSize() {
    return projectionSize != null ? projectionSize : hiddenSize;
  }

  @Build
  void initialize(Tensor x) {
    int inputSize = Cores.inputSize(this, x);
    int p = hiddenStateSize();
    DType dtype = x.dtype();
    wi = variable("w_i", Cores.fanIn(wiInit, inputSize), dtype, inputSize, 4 * hiddenSize);
    wh = variable("w_h", Cores.fanIn(whInit, p), dtype, p, 4 * hiddenSize);
    b =
        variable(
            "b",
            withForgetBias(bInit != null ? bInit : Initializers.zeros()),
            dtype,
            4 * hiddenSize);
    if (projectionSize != null) {
      projection =
          variable("projection", Cores.fanIn(projectionInit, hiddenSize), dtype, hiddenSize, p);
    }
    if (usePeepholes) {
      wfDiag = variable("w_f_diag", Initializers.zeros(), dtype, hiddenSize);
      wiDiag = variable("w_i_diag", Initializers.zeros(), dtype, hiddenSize);
      woDiag = variable("w_o_diag", Initializers.zeros(), dtype, hiddenSize);
    }
  }

  /**
   * {@code base} plus {@code forgetBias} on the f-slice {@code [H, 2H)}: an initializer, so a
   * restored checkpoint's bias is taken as saved, never shifted again.
   */
  private Initializer withForgetBias(Initializer base) {
    int h = hiddenSize;
    double bias = forgetBias;
    return (shape, dtype, rng) -> {
      double[] shift = new double[4 * h];
      java.util.Arrays.fill(shift, h, 2 * h, bias);
      return base.apply(shape, dtype, rng).add(Tensor.of(shift, 4 * h).cast(dtype));
    };
  }

  @Override
  public Step<LSTMState> call(Tensor input, LSTMState prevState) {
    build(input);
    checkStep(input, prevState, wi.shape().dim(0), wi.dtype());
    Tensor c = prevState.cell();
    Tensor gates = input.matmul(wi).add(prevState.hidden().matmul(wh)).add(b);
    List<Tensor> ifgo = gates.split(4, 1);
    Tensor i = ifgo.get(0);
    Tensor f = ifgo.get(1);
    Tensor o = ifgo.get(3);
    if (usePeepholes) {
      i = i.add(c.mul(wiDiag));
      f = f.add(c.mul(wfDiag));
    }
    Tensor next = f.sigmoid().mul(c).add(i.sigmoid().mul(ifgo.get(2).tanh()));
    if (cellClip != null) {
      next = next.clip(-cellClip, cellClip);
    }
    if (usePeepholes) {
      o = o.add(next.mul(woDiag));
    }
    Tensor h = o.sigmoid().mul(next.tanh());
    if (projection != null) {
      h = h.matmul(projection);
    }
    return new Step<>(h, new LSTMState(h, next));
  }

  @Override
  public LSTMState initialState(int batchSize, DType dtype) {
    int batch = Cores.checkBatch(this, batchSize);
    return new LSTMState(
        Tensor.zeros(dtype, batch, hiddenStateSize()), Tensor.zeros(dtype, batch, hiddenSize));
  }

  @Override
  public Shape outputSize() {
    return Shape.of(hiddenStateSize());
  }

  /** The number of cell units {@code H}. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** The projection's size {@code P}, or null without a projection. */
  public Integer projectionSize() {
    return projectionSize;
  }

  /** {@code w_i:[inputSize, 4H]}, gates i, f, g, o; null before the first call. */
  public Variable wi() {
    return wi;
  }

  /** {@code w_h:[P, 4H]}, gates i, f, g, o; null before the first call. */
  public Variable wh() {
    return wh;
  }

  /**
   * {@code b:[4H]}, gates i, f, g, o, the forget bias in the f-slice; null before the first call.
   */
  public Variable b() {
    return b;
  }

  /** {@code projection:[H, P]}; null before the first call or without a projection. */
  public Variable projection() {
    return projection;
  }

  /** The forget gate's peephole {@code w_f_diag:[H]}; null before the first call or without. */
  public Variable wfDiag() {
    return wfDiag;
  }

  /** The input gate's peephole {@code w_i_diag:[H]}; null before the first call or without. */
  public Variable wiDiag() {
    return wiDiag;
  }

  /** The output gate's peephole {@code w_o_diag:[H]}; null before the first call or without. */
  public Variable woDiag() {
    return woDiag;
  }
}
