package dev.sonnet.nn;

import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.ActivationFusing;
import dev.sonnet.module.Build;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Param;
import dev.sonnet.ops.ConvOptions;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.Arrays;
import java.util.List;

/**
 * The convolution modules' common part ({@link Conv1D}, {@link Conv2D}, {@link Conv3D}, {@link
 * CausalConv1D}): {@code y = conv(x, w) + b} over {@code n} spatial dimensions.
 *
 * <p><b>Shapes.</b> Input {@code [batch, spatial..., inChannels]} (channels-last, the default) or
 * {@code [batch, inChannels, spatial...]}; output the same layout with {@code outputChannels}
 * channels and the spatial sizes given by the padding: {@code ceil(in / stride)} for SAME, {@code
 * floor((in - kEff) / stride) + 1} for VALID, and the padded input's for a {@link Pad} function.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code w:[kernel...,
 * inChannels, outputChannels]}, by default a truncated normal with standard deviation {@code 1 /
 * sqrt(prod(kernel) * inChannels)} (the fan-in); {@code b:[outputChannels]}, zeros by default.
 */
public abstract class ConvND extends Module implements ActivationFusing {
  /** {@link Pad#SAME}: at stride 1 the output keeps the input's size, Sonnet's default. */
  public static final Pad DEFAULT_PADDING = Pad.SAME;

  /** {@code true}: a convolution usually adds a per-channel bias (off before a BatchNorm). */
  public static final boolean DEFAULT_WITH_BIAS = true;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(fanIn)}, {@code fanIn
   * = prod(kernel) * inChannels}, chosen on the first call when the input channels are known; it
   * keeps the output's variance near the input's (Sonnet's default).
   */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros, so the layer starts unbiased; must stay null without a bias. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** {@link DataFormat#CHANNELS_LAST} ({@code NWC}, {@code NHWC}, ...), as in Sonnet and TF. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  final int rank;
  final int outputChannels;
  final int[] kernel;
  final int[] strides;
  final int[] rates;
  final Pad padding;
  final boolean withBias;
  final Initializer wInit;
  final Initializer bInit;
  final DataFormat dataFormat;
  @Param Variable w;
  @Param Variable b;
  private volatile int[] inputSpatial;

  ConvND(
      int rank,
      int outputChannels,
      int[] kernelShape,
      int[] stride,
      int[] rate,
      Pad padding,
      boolean withBias,
      Initializer wInit,
      Initializer bInit,
      DataFormat dataFormat,
      String name) {
    super(name);
    String cls = getClass().getSimpleName();
    NnSupport.checkConvArgs(cls, outputChannels, withBias, bInit);
    this.rank = rank;
    this.outputChannels = outputChannels;
    this.kernel = NnSupport.replicate(cls, "kernelShape", kernelShape, rank);
    this.strides = NnSupport.replicateOrOne(cls, "stride", stride, rank);
    this.rates = NnSupport.replicateOrOne(cls, "rate", rate, rank);
    this.padding = NnSupport.required(cls, "padding", padding);
    if (!this.padding.isString()) {
      int fns = this.padding.functions().size();
      if (fns != 1 && fns != rank) {
        throw new IllegalArgumentException(
            cls
                + ": padding "
                + this.padding
                + " has "
                + fns
                + " functions but the convolution has "
                + rank
                + " spatial dimensions; give one"
                + " function for all or one per dimension");
      }
    }
    this.withBias = withBias;
    this.wInit = wInit;
    this.bInit = bInit;
    this.dataFormat = NnSupport.required(cls, "dataFormat", dataFormat);
  }

  /** The number of output channels. */
  public final int outputChannels() {
    return outputChannels;
  }

  /** The kernel size per spatial dimension. */
  public final List<Integer> kernelShape() {
    return NnSupport.list(kernel);
  }

  /** The stride per spatial dimension. */
  public final List<Integer> stride() {
    return NnSupport.list(strides);
  }

  /** The dilation rate per spatial dimension. */
  public final List<Integer> rate() {
    return NnSupport.list(rates);
  }

  /** The padding. */
  public final Pad padding() {
    return padding;
  }

  /** The data format. */
  public final DataFormat dataFormat() {
    return dataFormat;
  }

  /** The weights, or null before the first call. */
  public final Variable w() {
    return w;
  }

  /** The bias, or null before the first call or without a bias. */
  public final Variable b() {
    return b;
  }

  private String layout() {
    return NnSupport.convLayout(dataFormat, rank);
  }

  @Build
  void initialize(Tensor x) {
    NnSupport.requireRank(this, x, rank + 2, layout());
    NnSupport.requireFeatures(this, x, dataFormat.channelAxis(x.rank()) - x.rank(), "channels");
    int in = x.dim(dataFormat.channelAxis(x.rank()));
    inputSpatial = NnSupport.spatial(x.shape(), dataFormat);
    int[] shape = Arrays.copyOf(kernel, rank + 2);
    shape[rank] = in;
    shape[rank + 1] = outputChannels;
    Initializer wi =
        wInit != null
            ? wInit
            : Initializers.truncatedNormal(1 / Math.sqrt((double) NnSupport.product(kernel) * in));
    w = variable("w", wi, x.dtype(), shape);
    if (withBias) {
      b = variable("b", bInit != null ? bInit : Initializers.zeros(), x.dtype(), outputChannels);
    }
  }

  @Override
  public Tensor call(Tensor x) {
    build(x);
    NnSupport.requireRank(this, x, rank + 2, layout());
    NnSupport.requireDim(
        this, x, dataFormat.channelAxis(x.rank()), w.shape().dim(rank), "channels");
    ConvOptions options = NnSupport.convOptions(kernel, strides, rates, padding, dataFormat);
    Tensor y = Convolution.conv(x, w, options);
    return withBias ? addBias(y, b, dataFormat) : y;
  }

  /**
   * {@code activation.call(call(x))}; a ReLU on channels-last data is taken in one {@link
   * Convolution#conv(dev.sonnet.tensor.Operand, dev.sonnet.tensor.Operand,
   * dev.sonnet.tensor.Operand, ConvOptions, Activation)} with the bias (bit for bit the same value
   * and gradient), which {@link dev.sonnet.module.Sequential} asks for when this layer is followed
   * by {@link Layers#relu()}.
   */
  @Override
  public Tensor callThenActivate(Tensor x, Layer activation) {
    if (activation != Layers.relu() || dataFormat != DataFormat.CHANNELS_LAST) {
      return activation.call(call(x));
    }
    build(x);
    NnSupport.requireRank(this, x, rank + 2, layout());
    NnSupport.requireDim(
        this, x, dataFormat.channelAxis(x.rank()), w.shape().dim(rank), "channels");
    ConvOptions options = NnSupport.convOptions(kernel, strides, rates, padding, dataFormat);
    return Convolution.conv(x, w, withBias ? b : null, options, Activation.RELU);
  }

  /** {@code y + b} with {@code b} on the channel axis of {@code y}. */
  static Tensor addBias(Tensor y, Variable b, DataFormat format) {
    if (format == DataFormat.CHANNELS_LAST) {
      return y.add(b);
    }
    int[] shape = new int[y.rank() - 1];
    Arrays.fill(shape, 1);
    shape[0] = b.shape().dim(0);
    return y.add(b.asTensor().reshape(shape));
  }

  /** The number of input channels, known once the module has been called. */
  public final int inputChannels() {
    if (w == null) {
      throw notBuilt("input channels");
    }
    return w.shape().dim(rank);
  }

  /** The spatial sizes of the first input, known once the module has been called. */
  public final int[] inputSpatialShape() {
    int[] s = inputSpatial;
    if (s == null) {
      throw notBuilt("input spatial shape");
    }
    return s.clone();
  }

  private NotBuiltException notBuilt(String what) {
    return new NotBuiltException(
        getClass().getSimpleName()
            + " '"
            + name()
            + "' has no "
            + what
            + " yet: it is read from the first input. Call the module once (conv.call(x)) first.");
  }

  /**
   * The transpose (Sonnet 1's {@code transpose()}): a transposed convolution with its own variables
   * that maps this module's outputs back to the shape of its inputs: its output channels are this
   * module's input channels and its output spatial shape this module's input spatial shape. It is
   * constructed on its first call, so it may be made before this module is called; it is named
   * {@code <name>_transpose}.
   *
   * @throws ModuleException if the padding is not {@link Pad#SAME} or {@link Pad#VALID}, or a rate
   *     is above 1: transposed convolutions support neither
   */
  public Deferred<? extends ConvNDTranspose> transpose() {
    if (!padding.isString()) {
      throw new ModuleException(
          getClass().getSimpleName()
              + " '"
              + name()
              + "': only SAME or"
              + " VALID padding can be transposed, not "
              + padding);
    }
    for (int r : rates) {
      if (r != 1) {
        throw new ModuleException(
            getClass().getSimpleName()
                + " '"
                + name()
                + "': a dilated"
                + " convolution (rate "
                + rate()
                + ") cannot be transposed; use rate 1");
      }
    }
    return Deferred.of(
        name() + "_transpose",
        () ->
            ConvNDTranspose.create(
                rank,
                inputChannels(),
                kernel,
                inputSpatialShape(),
                strides,
                padding,
                withBias,
                wInit,
                bInit,
                dataFormat));
  }

  /** A convolution with {@code rank} spatial dimensions; for transposes. */
  static ConvND create(
      int rank,
      int outputChannels,
      int[] kernel,
      int[] stride,
      Pad padding,
      boolean withBias,
      Initializer wInit,
      Initializer bInit,
      DataFormat format) {
    return switch (rank) {
      case 1 ->
          Conv1D.builder(outputChannels, kernel)
              .stride(stride)
              .padding(padding)
              .withBias(withBias)
              .wInit(wInit)
              .bInit(bInit)
              .dataFormat(format)
              .build();
      case 2 ->
          Conv2D.builder(outputChannels, kernel)
              .stride(stride)
              .padding(padding)
              .withBias(withBias)
              .wInit(wInit)
              .bInit(bInit)
              .dataFormat(format)
              .build();
      default ->
          Conv3D.builder(outputChannels, kernel)
              .stride(stride)
              .padding(padding)
              .withBias(withBias)
              .wInit(wInit)
              .bInit(bInit)
              .dataFormat(format)
              .build();
    };
  }
}
