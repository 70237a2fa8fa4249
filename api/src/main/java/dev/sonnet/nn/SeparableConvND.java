package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.ops.ConvOptions;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.ops.Padding;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.Arrays;
import java.util.List;

/**
 * The separable convolutions' common part ({@link SeparableConv1D}, {@link SeparableConv2D}): a
 * depthwise convolution ({@code channelMultiplier} filters per input channel, with the stride, rate
 * and padding) followed by a pointwise {@code 1 x 1} convolution to {@code outputChannels}, plus a
 * bias: {@code y = conv1x1(depthwise(x, w_dw), w_pw) + b}.
 *
 * <p><b>Variables</b>: {@code w_dw:[kernel..., C, channelMultiplier]}, by default a truncated
 * normal with standard deviation {@code 1 / sqrt(prod(kernel))}; {@code w_pw:[1..., C *
 * channelMultiplier, outputChannels]}, by default {@code 1 / sqrt(C * channelMultiplier)}; {@code
 * b:[outputChannels]}, zeros (each default the fan-in rule of the other convolutions).
 */
public abstract class SeparableConvND extends Module implements Layer {
  /**
   * {@link Pad#SAME}: at stride 1 the output keeps the input's size, as for the other convolutions.
   */
  public static final Pad DEFAULT_PADDING = Pad.SAME;

  /** {@code true}: as for the other convolutions, a per-channel bias (off before a BatchNorm). */
  public static final boolean DEFAULT_WITH_BIAS = true;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(prod(kernel))}, chosen
   * on the first call; each depthwise output sees one input channel.
   */
  public static final Initializer DEFAULT_W_DW_INIT = null;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(C *
   * channelMultiplier)} (the pointwise fan-in), chosen on the first call when {@code C} is known.
   */
  public static final Initializer DEFAULT_W_PW_INIT = null;

  /** {@code null}: zeros, so the layer starts unbiased; must stay null without a bias. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** {@link DataFormat#CHANNELS_LAST} ({@code NWC}, {@code NHWC}), as in Sonnet and TF. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  final int rank;
  final int outputChannels;
  final int channelMultiplier;
  final int[] kernel;
  final int[] strides;
  final int[] rates;
  final Pad padding;
  final boolean withBias;
  final Initializer wDwInit;
  final Initializer wPwInit;
  final Initializer bInit;
  final DataFormat dataFormat;
  @Param Variable wDw;
  @Param Variable wPw;
  @Param Variable b;

  SeparableConvND(
      int rank,
      int outputChannels,
      int channelMultiplier,
      int[] kernelShape,
      int[] stride,
      int[] rate,
      Pad padding,
      boolean withBias,
      Initializer wDwInit,
      Initializer wPwInit,
      Initializer bInit,
      DataFormat dataFormat,
      String name) {
    super(name);
    String cls = getClass().getSimpleName();
    if (outputChannels < 1 || channelMultiplier < 1) {
      throw new IllegalArgumentException(
          cls
              + ": outputChannels and channelMultiplier must be"
              + " >= 1, got "
              + outputChannels
              + " and "
              + channelMultiplier);
    }
    if (!withBias && bInit != null) {
      throw new IllegalArgumentException(cls + ": when withBias is false, bInit must be null");
    }
    this.rank = rank;
    this.outputChannels = outputChannels;
    this.channelMultiplier = channelMultiplier;
    this.kernel = NnSupport.replicate(cls, "kernelShape", kernelShape, rank);
    this.strides = NnSupport.replicateOrOne(cls, "stride", stride, rank);
    this.rates = NnSupport.replicateOrOne(cls, "rate", rate, rank);
    this.padding = NnSupport.required(cls, "padding", padding);
    int fns = this.padding.functions().size();
    if (fns > 1 && fns != rank) {
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
    this.withBias = withBias;
    this.wDwInit = wDwInit;
    this.wPwInit = wPwInit;
    this.bInit = bInit;
    this.dataFormat = NnSupport.required(cls, "dataFormat", dataFormat);
  }

  public final List<Integer> kernelShape() {
    return NnSupport.list(kernel);
  }

  public final List<Integer> stride() {
    return NnSupport.list(strides);
  }

  public final List<Integer> rate() {
    return NnSupport.list(rates);
  }

  /** The depthwise weights, or null before the first call. */
  public final Variable wDw() {
    return wDw;
  }

  /** The pointwise weights, or null before the first call. */
  public final Variable wPw() {
    return wPw;
  }

  /** The bias, or null before the first call or without a bias. */
  public final Variable b() {
    return b;
  }

  @Build
  void initialize(Tensor x) {
    NnSupport.requireRank(this, x, rank + 2, "[batch, spatial x " + rank + ", channels]");
    int in = x.dim(dataFormat.channelAxis(x.rank()));
    int[] dw = Arrays.copyOf(kernel, rank + 2);
    dw[rank] = in;
    dw[rank + 1] = channelMultiplier;
    int[] pw = new int[rank + 2];
    Arrays.fill(pw, 1);
    pw[rank] = in * channelMultiplier;
    pw[rank + 1] = outputChannels;
    wDw =
        variable(
            "w_dw",
            wDwInit != null
                ? wDwInit
                : Initializers.truncatedNormal(1 / Math.sqrt(NnSupport.product(kernel))),
            x.dtype(),
            dw);
    wPw =
        variable(
            "w_pw",
            wPwInit != null
                ? wPwInit
                : Initializers.truncatedNormal(1 / Math.sqrt(in * channelMultiplier)),
            x.dtype(),
            pw);
    if (withBias) {
      b = variable("b", bInit != null ? bInit : Initializers.zeros(), x.dtype(), outputChannels);
    }
  }

  @Override
  public Tensor call(Tensor x) {
    build(x);
    NnSupport.requireRank(this, x, rank + 2, "[batch, spatial x " + rank + ", channels]");
    NnSupport.requireDim(
        this, x, dataFormat.channelAxis(x.rank()), wDw.shape().dim(rank), "channels");
    ConvOptions depthwise = NnSupport.convOptions(kernel, strides, rates, padding, dataFormat);
    Tensor h = Convolution.depthwiseConv(x, wDw, depthwise);
    Tensor y =
        Convolution.conv(
            h, wPw, ConvOptions.DEFAULT.withPadding(Padding.VALID).withDataFormat(dataFormat));
    return withBias ? ConvND.addBias(y, b, dataFormat) : y;
  }
}
