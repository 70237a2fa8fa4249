package dev.sonnet.recurrent;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Param;
import dev.sonnet.nn.Conv1D;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Conv3D;
import dev.sonnet.nn.ConvND;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.Arrays;
import java.util.List;

/**
 * The convolutional LSTMs' common part ({@link Conv1DLSTM}, {@link Conv2DLSTM}, {@link Conv3DLSTM};
 * Shi et al., 2015), Sonnet 2's {@code _ConvNDLSTM}: an {@link LSTM} whose matrix products are
 * convolutions, so the input, the hidden state and the cell keep their spatial shape.
 *
 * <pre>
 * [i, f, g, o] = conv(x, w_i) + conv(h, w_h) + b     (SAME padding, stride 1; split on channels)
 * c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
 * h' = sigmoid(o) * tanh(c')                         (the output)
 * </pre>
 *
 * <p><b>Shapes</b> (channels-last, the default): input {@code [batch, spatial..., inChannels]} with
 * {@code [spatial..., inChannels]} equal to {@code inputShape}; state {@link LSTMState} {@code
 * hidden} and {@code cell}, and the output, {@code [batch, spatial..., outputChannels]}. With
 * {@link DataFormat#CHANNELS_FIRST} the channels come right after the batch, in {@code inputShape}
 * too.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code
 * input_to_hidden/w:[kernel..., inChannels, 4C]} ({@code wiInit}; by default the convolution's
 * truncated normal with standard deviation {@code 1 / sqrt(prod(kernel) * inChannels)}), {@code
 * hidden_to_hidden/w:[kernel..., C, 4C]} ({@code whInit}; {@code 1 / sqrt(prod(kernel) * C)}), both
 * bias-free, and {@code b:[4C]} ({@code bInit}, zeros by default, plus {@code forgetBias} on the
 * f-slice {@code [C, 2C)}: as in {@link LSTM} the forget bias lives in the saved bias, where Sonnet
 * adds it on every step; the values are the same).
 */
public abstract class ConvNDLSTM extends RNNCore<LSTMState> {
  /** {@code null}: the convolution's default, a truncated normal with {@code 1 / sqrt(fan-in)}. */
  public static final Initializer DEFAULT_WI_INIT = null;

  /** {@code null}: the convolution's default, a truncated normal with {@code 1 / sqrt(fan-in)}. */
  public static final Initializer DEFAULT_WH_INIT = null;

  /** {@code null}: zeros (before the forget bias is added), so every gate starts at one half. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** {@code 1.0}: the forget gate starts at {@code sigmoid(1) ~ 0.73}, as in {@link LSTM}. */
  public static final double DEFAULT_FORGET_BIAS = 1.0;

  /** {@link DataFormat#CHANNELS_LAST} ({@code NWC}, {@code NHWC}, {@code NDHWC}), as in Sonnet. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  final int rank;
  final int[] inputShape;
  final int outputChannels;
  final int[] kernel;
  final DataFormat dataFormat;
  final Initializer wiInit;
  final Initializer whInit;
  final Initializer bInit;
  final double forgetBias;
  ConvND inputToHidden;
  ConvND hiddenToHidden;
  @Param Variable b;

  ConvNDLSTM(
      int rank,
      int[] inputShape,
      int outputChannels,
      int[] kernelShape,
      DataFormat dataFormat,
      Initializer wiInit,
      Initializer whInit,
      Initializer bInit,
      double forgetBias,
      String name) {
    super(name);
    String cls = "Conv" + rank + "DLSTM";
    if (inputShape == null || inputShape.length != rank + 1) {
      throw new IllegalArgumentException(
          cls
              + ": inputShape must hold "
              + (rank + 1)
              + " sizes (the spatial sizes and the channels, without the batch), got "
              + Arrays.toString(inputShape));
    }
    for (int d : inputShape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            cls + ": inputShape sizes must be >= 1, got " + Arrays.toString(inputShape));
      }
    }
    Cores.checkSize(cls, "outputChannels", outputChannels);
    if (kernelShape == null || (kernelShape.length != 1 && kernelShape.length != rank)) {
      throw new IllegalArgumentException(
          cls
              + ": kernelShape must hold 1 or "
              + rank
              + " sizes, got "
              + Arrays.toString(kernelShape));
    }
    int[] k = new int[rank];
    for (int i = 0; i < rank; i++) {
      k[i] = kernelShape.length == 1 ? kernelShape[0] : kernelShape[i];
      if (k[i] < 1) {
        throw new IllegalArgumentException(
            cls + ": kernelShape sizes must be >= 1, got " + Arrays.toString(kernelShape));
      }
    }
    if (!Double.isFinite(forgetBias)) {
      throw new IllegalArgumentException(cls + ": forgetBias must be finite, got " + forgetBias);
    }
    this.rank = rank;
    this.inputShape = inputShape.clone();
    this.outputChannels = outputChannels;
    this.kernel = k;
    this.dataFormat = Cores.required(cls, "dataFormat", dataFormat);
    this.wiInit = wiInit;
    this.whInit = whInit;
    this.bInit = bInit;
    this.forgetBias = forgetBias;
  }

  /** A bias-free SAME convolution of this rank to {@code 4C} channels, named {@code name}. */
  private ConvND conv(Initializer init, String name) {
    int c = 4 * outputChannels;
    return switch (rank) {
      case 1 ->
          Conv1D.builder(c, kernel)
              .withBias(false)
              .wInit(init)
              .dataFormat(dataFormat)
              .name(name)
              .build();
      case 2 ->
          Conv2D.builder(c, kernel)
              .withBias(false)
              .wInit(init)
              .dataFormat(dataFormat)
              .name(name)
              .build();
      case 3 ->
          Conv3D.builder(c, kernel)
              .withBias(false)
              .wInit(init)
              .dataFormat(dataFormat)
              .name(name)
              .build();
      default -> throw new IllegalStateException("rank " + rank);
    };
  }

  @Build
  void initialize(Tensor x) {
    checkInput(x);
    inputToHidden = conv(wiInit, "input_to_hidden");
    hiddenToHidden = conv(whInit, "hidden_to_hidden");
    int c = outputChannels;
    double bias = forgetBias;
    Initializer base = bInit != null ? bInit : Initializers.zeros();
    Initializer withForgetBias =
        (shape, dtype, rng) -> {
          double[] shift = new double[4 * c];
          Arrays.fill(shift, c, 2 * c, bias);
          return base.apply(shape, dtype, rng).add(Tensor.of(shift, 4 * c).cast(dtype));
        };
    b = variable("b", withForgetBias, x.dtype(), 4 * c);
  }

  /** {@code [batch, inputShape...]}, or a shape error naming the core and both shapes. */
  private void checkInput(Tensor x) {
    int[] want = new int[rank + 2];
    want[0] = x.rank() > 0 ? x.dim(0) : 1;
    System.arraycopy(inputShape, 0, want, 1, rank + 1);
    if (!x.shape().equals(Shape.of(want))) {
      throw new ShapeException(
          who()
              + ": input "
              + x.shape()
              + " does not match inputShape "
              + Arrays.toString(inputShape)
              + " ([batch, "
              + (dataFormat == DataFormat.CHANNELS_LAST
                  ? "spatial..., channels"
                  : "channels, spatial...")
              + "] = "
              + Shape.of(want)
              + "); unroll sequences with Unroll");
    }
  }

  private int channelAxis() {
    return dataFormat.channelAxis(rank + 2);
  }

  @Override
  public Step<LSTMState> call(Tensor input, LSTMState prevState) {
    build(input);
    checkInput(input);
    if (input.dtype() != b.dtype()) {
      throw new IllegalArgumentException(
          who()
              + ": input is "
              + input.dtype()
              + input.shape()
              + " but the core's variables are "
              + b.dtype()
              + "; cast the input");
    }
    checkState(prevState, input.dim(0), b.dtype(), input.shape());
    int axis = channelAxis();
    Tensor gates =
        inputToHidden.call(input).add(hiddenToHidden.call(prevState.hidden())).add(bias(axis));
    List<Tensor> ifgo = gates.split(4, axis);
    Tensor c = prevState.cell();
    Tensor next = ifgo.get(1).sigmoid().mul(c).add(ifgo.get(0).sigmoid().mul(ifgo.get(2).tanh()));
    Tensor h = ifgo.get(3).sigmoid().mul(next.tanh());
    return new Step<>(h, new LSTMState(h, next));
  }

  /** {@code b} shaped to broadcast along the channel axis. */
  private Tensor bias(int axis) {
    if (dataFormat == DataFormat.CHANNELS_LAST) {
      return b.asTensor();
    }
    int[] shape = new int[rank + 1];
    Arrays.fill(shape, 1);
    shape[axis - 1] = 4 * outputChannels;
    return b.asTensor().reshape(shape);
  }

  @Override
  public LSTMState initialState(int batchSize, DType dtype) {
    int batch = Cores.checkBatch(this, batchSize);
    int[] shape = new int[rank + 2];
    shape[0] = batch;
    System.arraycopy(inputShape, 0, shape, 1, rank + 1);
    shape[channelAxis()] = outputChannels;
    return new LSTMState(Tensor.zeros(dtype, shape), Tensor.zeros(dtype, shape));
  }

  @Override
  public Shape outputSize() {
    int[] shape = inputShape.clone();
    shape[channelAxis() - 1] = outputChannels;
    return Shape.of(shape);
  }

  /** The input's shape without the batch, as given. */
  public final int[] inputShape() {
    return inputShape.clone();
  }

  /** The number of channels {@code C} of the hidden state, the cell and the output. */
  public final int outputChannels() {
    return outputChannels;
  }

  /** The kernel's size in each spatial dimension. */
  public final int[] kernelShape() {
    return kernel.clone();
  }

  /** Where the channels are: last (the default) or right after the batch. */
  public final DataFormat dataFormat() {
    return dataFormat;
  }

  /**
   * The input-to-hidden convolution ({@code w:[kernel..., in, 4C]}); null before the first call.
   */
  public final ConvND inputToHidden() {
    return inputToHidden;
  }

  /**
   * The hidden-to-hidden convolution ({@code w:[kernel..., C, 4C]}); null before the first call.
   */
  public final ConvND hiddenToHidden() {
    return hiddenToHidden;
  }

  /**
   * {@code b:[4C]}, gates i, f, g, o, the forget bias in the f-slice; null before the first call.
   */
  public final Variable b() {
    return b;
  }
}
