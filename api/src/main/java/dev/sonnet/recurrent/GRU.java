package dev.sonnet.recurrent;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * Gated recurrent unit (Chung et al., 2014), Sonnet's {@code GRU}.
 *
 * <pre>
 * [x_z, x_r, x_a] = x w_i          [U_z, U_r, U_a] = w_h          [b_z, b_r, b_a] = b
 * z = sigmoid(x_z + h U_z + b_z)                  (update gate)
 * r = sigmoid(x_r + h U_r + b_r)                  (reset gate)
 * a = tanh(x_a + (r * h) U_a + b_a)               (candidate)
 * h' = (1 - z) * h + z * a
 * </pre>
 *
 * <p><b>Shapes.</b> Input {@code [batch, inputSize]}; state {@link TensorState} {@code [batch,
 * hiddenSize]}; output {@code [batch, hiddenSize]} (the new hidden state). The input's dtype must
 * be the variables'.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code w_i:[inputSize,
 * 3H]}, {@code w_h:[H, 3H]} (both Glorot uniform by default), {@code b:[3H]} (zeros), each in the
 * order z, r, a.
 *
 * <pre>{@code
 * var gru = new GRU(32);
 * Step<TensorState> step = gru.call(x0, gru.initialState(x0));   // step.output() [batch, 32]
 * }</pre>
 */
public final class GRU extends RNNCore<TensorState> {
  /**
   * {@code null}: Glorot uniform ({@code VarianceScaling(1, FAN_AVG, UNIFORM)}) over {@code
   * [inputSize, 3H]}, as Sonnet's GRU (unlike its LSTM).
   */
  public static final Initializer DEFAULT_WI_INIT = null;

  /** {@code null}: Glorot uniform over {@code [H, 3H]}, as Sonnet's GRU. */
  public static final Initializer DEFAULT_WH_INIT = null;

  /** {@code null}: zeros, so the gates start at one half. */
  public static final Initializer DEFAULT_B_INIT = null;

  final int hiddenSize;
  final Initializer wiInit;
  final Initializer whInit;
  final Initializer bInit;
  @Param Variable wi;
  @Param Variable wh;
  @Param Variable b;

  /** A GRU with {@code hiddenSize} units and the default initializers. */
  public GRU(int hiddenSize) {
    this(hiddenSize, DEFAULT_WI_INIT, DEFAULT_WH_INIT, DEFAULT_B_INIT, null);
  }

  /**
   * Starts a GRU with every other setting at its default, e.g. {@code
   * GRU.builder(32).bInit(Initializers.ones()).build()}.
   *
   * @param hiddenSize the number of hidden units {@code H}, at least 1
   */
  public static GRUBuilder builder(int hiddenSize) {
    return new GRUBuilder(hiddenSize);
  }

  /** Every setting; called by {@link GRUBuilder}, which documents each and its default. */
  @Settings
  GRU(int hiddenSize, Initializer wiInit, Initializer whInit, Initializer bInit, String name) {
    super(name);
    Cores.checkSize("GRU", "hiddenSize", hiddenSize);
    this.hiddenSize = hiddenSize;
    this.wiInit = wiInit;
    this.whInit = whInit;
    this.bInit = bInit;
  }

  @Build
  void initialize(Tensor x) {
    int inputSize = Cores.inputSize(this, x);
    DType dtype = x.dtype();
    Initializer glorot = Initializers.glorotUniform();
    wi = variable("w_i", wiInit != null ? wiInit : glorot, dtype, inputSize, 3 * hiddenSize);
    wh = variable("w_h", whInit != null ? whInit : glorot, dtype, hiddenSize, 3 * hiddenSize);
    b = variable("b", bInit != null ? bInit : Initializers.zeros(), dtype, 3 * hiddenSize);
  }

  @Override
  public Step<TensorState> call(Tensor input, TensorState prevState) {
    build(input);
    checkStep(input, prevState, wi.shape().dim(0), wi.dtype());
    Tensor h = prevState.value();
    List<Tensor> xs = input.matmul(wi).add(b).split(3, 1);
    List<Tensor> us = ShapeOps.split(wh, new int[] {2 * hiddenSize, hiddenSize}, 1);
    List<Tensor> zr = h.matmul(us.get(0)).split(2, 1);
    Tensor z = xs.get(0).add(zr.get(0)).sigmoid();
    Tensor r = xs.get(1).add(zr.get(1)).sigmoid();
    Tensor a = xs.get(2).add(r.mul(h).matmul(us.get(1))).tanh();
    Tensor next = h.add(z.mul(a.sub(h)));
    return new Step<>(next, new TensorState(next));
  }

  @Override
  public TensorState initialState(int batchSize, DType dtype) {
    return new TensorState(Tensor.zeros(dtype, Cores.checkBatch(this, batchSize), hiddenSize));
  }

  @Override
  public Shape outputSize() {
    return Shape.of(hiddenSize);
  }

  /** The number of hidden units {@code H}. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** {@code w_i:[inputSize, 3H]}, order z, r, a; null before the first call. */
  public Variable wi() {
    return wi;
  }

  /** {@code w_h:[H, 3H]}, order z, r, a; null before the first call. */
  public Variable wh() {
    return wh;
  }

  /** {@code b:[3H]}, order z, r, a; null before the first call. */
  public Variable b() {
    return b;
  }
}
