package dev.sonnet.recurrent;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * The basic recurrent core (Sonnet's {@code VanillaRNN}): {@code h_t = activation(x_t w_i + h_{t-1}
 * w_h + b)}; the output is the new hidden state.
 *
 * <p><b>Shapes.</b> Input {@code [batch, inputSize]}; state {@link TensorState} {@code [batch,
 * hiddenSize]}; output {@code [batch, hiddenSize]}. The input's dtype must be the variables'.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code w_i:[inputSize,
 * hiddenSize]} (default: truncated normal, standard deviation {@code 1 / sqrt(inputSize)}), {@code
 * w_h:[hiddenSize, hiddenSize]} (default: truncated normal, {@code 1 / sqrt(hiddenSize)}), {@code
 * b:[hiddenSize]} (default: zeros).
 *
 * <pre>{@code
 * var rnn = new VanillaRNN(32);
 * Unrolled<TensorState> out = Unroll.dynamicUnroll(rnn, x, rnn.initialState(x.dim(1)));  // x [T, B, F]
 * out.outputs();   // [T, B, 32]
 * }</pre>
 */
public final class VanillaRNN extends RNNCore<TensorState> {
  /** {@code tanh}: bounded, so the hidden state cannot grow without limit over time (Sonnet's). */
  public static final Layer DEFAULT_ACTIVATION = Layers.tanh();

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(inputSize)}, chosen on
   * the first call; it keeps the pre-activation's variance near the input's (Sonnet's default).
   */
  public static final Initializer DEFAULT_WI_INIT = null;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(hiddenSize)}, so the
   * recurrent term starts at the scale of the input term (Sonnet's default).
   */
  public static final Initializer DEFAULT_WH_INIT = null;

  /** {@code null}: zeros, so the core starts unbiased. */
  public static final Initializer DEFAULT_B_INIT = null;

  final int hiddenSize;
  final Layer activation;
  final Initializer wiInit;
  final Initializer whInit;
  final Initializer bInit;
  @Param Variable wi;
  @Param Variable wh;
  @Param Variable b;

  /** A core with {@code hiddenSize} units, tanh and the default initializers. */
  public VanillaRNN(int hiddenSize) {
    this(hiddenSize, DEFAULT_ACTIVATION, DEFAULT_WI_INIT, DEFAULT_WH_INIT, DEFAULT_B_INIT, null);
  }

  /**
   * Starts a core with every other setting at its default, e.g. {@code
   * VanillaRNN.builder(32).activation(Layers.relu()).build()}.
   *
   * @param hiddenSize the number of hidden units, at least 1
   */
  public static VanillaRNNBuilder builder(int hiddenSize) {
    return new VanillaRNNBuilder(hiddenSize);
  }

  /** Every setting; called by {@link VanillaRNNBuilder}, which documents each and its default. */
  @Settings
  VanillaRNN(
      int hiddenSize,
      Layer activation,
      Initializer wiInit,
      Initializer whInit,
      Initializer bInit,
      String name) {
    super(name);
    Cores.checkSize("VanillaRNN", "hiddenSize", hiddenSize);
    this.hiddenSize = hiddenSize;
    this.activation = Cores.required("VanillaRNN", "activation", activation);
    this.wiInit = wiInit;
    this.whInit = whInit;
    this.bInit = bInit;
  }

  @Build
  void initialize(Tensor x) {
    int inputSize = Cores.inputSize(this, x);
    wi = variable("w_i", Cores.fanIn(wiInit, inputSize), x.dtype(), inputSize, hiddenSize);
    wh = variable("w_h", Cores.fanIn(whInit, hiddenSize), x.dtype(), hiddenSize, hiddenSize);
    b = variable("b", bInit != null ? bInit : Initializers.zeros(), x.dtype(), hiddenSize);
  }

  @Override
  public Step<TensorState> call(Tensor input, TensorState prevState) {
    build(input);
    checkStep(input, prevState, wi.shape().dim(0), wi.dtype());
    Tensor h = activation.call(input.matmul(wi).add(prevState.value().matmul(wh)).add(b));
    return new Step<>(h, new TensorState(h));
  }

  @Override
  public TensorState initialState(int batchSize, DType dtype) {
    return new TensorState(Tensor.zeros(dtype, Cores.checkBatch(this, batchSize), hiddenSize));
  }

  @Override
  public Shape outputSize() {
    return Shape.of(hiddenSize);
  }

  /** The number of hidden units. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** {@code w_i:[inputSize, hiddenSize]}, or null before the first call. */
  public Variable wi() {
    return wi;
  }

  /** {@code w_h:[hiddenSize, hiddenSize]}, or null before the first call. */
  public Variable wh() {
    return wh;
  }

  /** {@code b:[hiddenSize]}, or null before the first call. */
  public Variable b() {
    return b;
  }
}
