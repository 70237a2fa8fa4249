package dev.sonnet.recurrent;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.Scan;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.Arrays;
import java.util.List;

/**
 * An {@link LSTM} applied to a whole sequence in one call (Sonnet 2's {@code UnrolledLSTM}): the
 * same equations, variables and defaults as {@code LSTM(hiddenSize)} (no projection, peepholes or
 * clipping), so {@code call(x, s)} equals {@code Unroll.dynamicUnroll(lstm, x, s)} for an LSTM
 * holding the same weights, up to rounding.
 *
 * <p><b>What is fused.</b> The input projection of every step, {@code x w_i + b}, is computed
 * before the step loop as ONE matrix product {@code [T * B, inputSize] x [inputSize, 4H]} (plus the
 * bias), instead of {@code T} products of {@code [B, inputSize]}: one large, well-shaped kernel
 * that uses the hardware far better, and the main cost of an LSTM with a wide input. <b>What is
 * not:</b> the recurrence itself, {@code h w_h} and the gates' element-wise ops, still runs one
 * step at a time (step {@code t} needs step {@code t - 1}'s hidden state), each op its own kernel;
 * there are no sequence lengths (every example runs {@code T} steps; use {@link Unroll} with an
 * {@link LSTM} for ragged batches).
 *
 * <p><b>Shapes.</b> Sequence {@code [T, B, inputSize]} (time-major, {@code T >= 1}); state {@link
 * LSTMState} {@code hidden} and {@code cell} {@code [B, H]}; outputs {@code [T, B, H]} (each step's
 * hidden state). The sequence's dtype must be the variables'.
 *
 * <p><b>Variables</b>, created on the first call with the sequence's dtype, named and initialised
 * as {@link LSTM}'s: {@code w_i:[inputSize, 4H]} ({@code 1 / sqrt(inputSize)} truncated normal by
 * default), {@code w_h:[H, 4H]} ({@code 1 / sqrt(H)}), {@code b:[4H]} ({@code bInit}, zeros by
 * default, plus {@code forgetBias} on the f-slice {@code [H, 2H)}); gate order i, f, g, o.
 *
 * <pre>{@code
 * var lstm = new UnrolledLSTM(64);
 * Tensor x = Tensor.zeros(DType.FLOAT32, 10, 8, 16);                 // [T, B, F]
 * Unrolled<LSTMState> out = lstm.call(x, lstm.initialState(8));
 * out.outputs();                 // [10, 8, 64]
 * out.finalState().cell();       // [8, 64]
 * }</pre>
 */
public final class UnrolledLSTM extends Module {
  /** {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(inputSize)}. */
  public static final Initializer DEFAULT_WI_INIT = null;

  /** {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(hiddenSize)}. */
  public static final Initializer DEFAULT_WH_INIT = null;

  /** {@code null}: zeros (before the forget bias is added), so every gate starts at one half. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** {@code 1.0}: the forget gate starts at {@code sigmoid(1) ~ 0.73}, as in {@link LSTM}. */
  public static final double DEFAULT_FORGET_BIAS = 1.0;

  final int hiddenSize;
  final Initializer wiInit;
  final Initializer whInit;
  final Initializer bInit;
  final double forgetBias;
  @Param Variable wi;
  @Param Variable wh;
  @Param Variable b;

  /** An unrolled LSTM with {@code hiddenSize} units and every other setting at its default. */
  public UnrolledLSTM(int hiddenSize) {
    this(hiddenSize, DEFAULT_WI_INIT, DEFAULT_WH_INIT, DEFAULT_B_INIT, DEFAULT_FORGET_BIAS, null);
  }

  /**
   * Starts an UnrolledLSTM with every other setting at its default, e.g. {@code
   * UnrolledLSTM.builder(64).forgetBias(0.0).build()}.
   *
   * @param hiddenSize the number of cell units {@code H}, at least 1
   */
  public static UnrolledLSTMBuilder builder(int hiddenSize) {
    return new UnrolledLSTMBuilder(hiddenSize);
  }

  /** Every setting; called by {@link UnrolledLSTMBuilder}, which documents each and its default. */
  @Settings
  UnrolledLSTM(
      int hiddenSize,
      Initializer wiInit,
      Initializer whInit,
      Initializer bInit,
      double forgetBias,
      String name) {
    super(name);
    Cores.checkSize("UnrolledLSTM", "hiddenSize", hiddenSize);
    if (!Double.isFinite(forgetBias)) {
      throw new IllegalArgumentException(
          "UnrolledLSTM: forgetBias must be finite, got " + forgetBias);
    }
    this.hiddenSize = hiddenSize;
    this.wiInit = wiInit;
    this.whInit = whInit;
    this.bInit = bInit;
    this.forgetBias = forgetBias;
  }

  @Build
  void initialize(Tensor sequence) {
    checkSequence(sequence);
    int inputSize = sequence.dim(2);
    int h = hiddenSize;
    DType dtype = sequence.dtype();
    wi = variable("w_i", Cores.fanIn(wiInit, inputSize), dtype, inputSize, 4 * h);
    wh = variable("w_h", Cores.fanIn(whInit, h), dtype, h, 4 * h);
    Initializer base = bInit != null ? bInit : Initializers.zeros();
    double bias = forgetBias;
    Initializer withForgetBias =
        (shape, dt, rng) -> {
          double[] shift = new double[4 * h];
          Arrays.fill(shift, h, 2 * h, bias);
          return base.apply(shape, dt, rng).add(Tensor.of(shift, 4 * h).cast(dt));
        };
    b = variable("b", withForgetBias, dtype, 4 * h);
  }

  private String who() {
    return "UnrolledLSTM '" + path() + "'";
  }

  private void checkSequence(Tensor sequence) {
    if (sequence.rank() != 3 || sequence.dim(0) == 0) {
      throw new ShapeException(
          who()
              + ": sequence "
              + sequence.shape()
              + " must be time-major [T, B, inputSize] with at least one step");
    }
  }

  /**
   * Runs the LSTM over {@code sequence [T, B, inputSize]} from {@code initial}: the outputs {@code
   * [T, B, H]} (each step's hidden state) and the state after the last step.
   *
   * @throws ShapeException if the sequence is not {@code [T >= 1, B, inputSize]} or the state's
   *     leaves are not {@code [B, H]}
   */
  public Unrolled<LSTMState> call(Tensor sequence, LSTMState initial) {
    build(sequence);
    checkSequence(sequence);
    int steps = sequence.dim(0);
    int batch = sequence.dim(1);
    int inputSize = wi.shape().dim(0);
    if (sequence.dim(2) != inputSize) {
      throw new ShapeException(
          who()
              + ": sequence "
              + sequence.shape()
              + " has "
              + sequence.dim(2)
              + " features but the core was built for "
              + inputSize
              + " ([T, B, "
              + inputSize
              + "])");
    }
    if (sequence.dtype() != wi.dtype()) {
      throw new IllegalArgumentException(
          who()
              + ": sequence is "
              + sequence.dtype()
              + sequence.shape()
              + " but the variables are "
              + wi.dtype()
              + "; cast the sequence");
    }
    Shape stateShape = Shape.of(batch, hiddenSize);
    if (initial == null
        || !initial.hidden().shape().equals(stateShape)
        || !initial.cell().shape().equals(stateShape)
        || initial.hidden().dtype() != wi.dtype()
        || initial.cell().dtype() != wi.dtype()) {
      throw DTypeException.shapeOrDtype(
          initial != null
              && initial.hidden().shape().equals(stateShape)
              && initial.cell().shape().equals(stateShape),
          who()
              + ": the state "
              + (initial == null ? "null" : initial.describe())
              + " does not fit sequence "
              + sequence.shape()
              + "; hidden and cell must both be "
              + wi.dtype().shortName()
              + stateShape
              + "; start from initialState(batch, dtype)");
    }
    int h4 = 4 * hiddenSize;
    // The fused part: every step's input projection and the bias in one [T*B, in] x [in, 4H].
    Tensor projected =
        sequence.reshape(steps * batch, inputSize).matmul(wi).add(b).reshape(steps, batch, h4);
    // The recurrence, one step at a time: a Scan, so a traced graph holds one loop and runs any T.
    Scan.Result r =
        Scan.scan(
            (carried, x) -> {
              Tensor gates = x[0].add(carried[0].matmul(wh));
              List<Tensor> ifgo = gates.split(4, 1);
              Tensor cell =
                  ifgo.get(1)
                      .sigmoid()
                      .mul(carried[1])
                      .add(ifgo.get(0).sigmoid().mul(ifgo.get(2).tanh()));
              Tensor hidden = ifgo.get(3).sigmoid().mul(cell.tanh());
              return new Tensor[] {hidden, cell, hidden};
            },
            List.of(initial.hidden(), initial.cell()),
            List.of(projected),
            0);
    return new Unrolled<>(
        r.outputs().get(0), new LSTMState(r.finalCarried().get(0), r.finalCarried().get(1)));
  }

  /** The zero state for {@code batchSize} examples of {@code dtype}: {@code [batch, H]} twice. */
  public LSTMState initialState(int batchSize, DType dtype) {
    int batch = Cores.checkBatch(this, batchSize);
    return new LSTMState(
        Tensor.zeros(dtype, batch, hiddenSize), Tensor.zeros(dtype, batch, hiddenSize));
  }

  /** The float32 zero state for {@code batchSize} examples. */
  public LSTMState initialState(int batchSize) {
    return initialState(batchSize, DType.FLOAT32);
  }

  /** The number of cell units {@code H}. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** {@code w_i:[inputSize, 4H]}, gates i, f, g, o; null before the first call. */
  public Variable wi() {
    return wi;
  }

  /** {@code w_h:[H, 4H]}, gates i, f, g, o; null before the first call. */
  public Variable wh() {
    return wh;
  }

  /**
   * {@code b:[4H]}, gates i, f, g, o, the forget bias in the f-slice; null before the first call.
   */
  public Variable b() {
    return b;
  }
}
