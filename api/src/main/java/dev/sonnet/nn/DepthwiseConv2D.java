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
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * A depthwise 2-d convolution ({@code tf.nn.depthwise_conv2d}): each input channel is convolved
 * with its own {@code channelMultiplier} filters; output channel {@code c * channelMultiplier + m}
 * is input channel {@code c} with filter {@code m}, plus a bias.
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, C]} (or channels-first); output {@code
 * [batch, outH, outW, C * channelMultiplier]}, the spatial sizes as for {@link Conv2D}.
 *
 * <p><b>Variables</b>: {@code w:[kh, kw, C, channelMultiplier]}, by default a truncated normal with
 * standard deviation {@code 1 / sqrt(kh * kw)} (each output sees one channel, so the fan-in has no
 * channel factor); {@code b:[C * channelMultiplier]}, zeros by default.
 *
 * <pre>{@code
 * new DepthwiseConv2D(3).call(Tensor.zeros(DType.FLOAT32, 1, 8, 8, 4)).shape();   // [1, 8, 8, 4]
 * }</pre>
 */
public final class DepthwiseConv2D extends Module implements Layer {
  /** {@code 1}: one filter per channel. */
  public static final int DEFAULT_CHANNEL_MULTIPLIER = 1;
  /** {@code 1} in both dimensions. */
  public static final List<Integer> DEFAULT_STRIDE = NnSupport.repeat(1, 2);
  /** {@code 1} in both dimensions: an undilated kernel. */
  public static final List<Integer> DEFAULT_RATE = NnSupport.repeat(1, 2);
  /** {@link Pad#SAME}, Sonnet's default. */
  public static final Pad DEFAULT_PADDING = Pad.SAME;
  /** {@code true}, as for convolutions. */
  public static final boolean DEFAULT_WITH_BIAS = true;
  /** Channels-last ({@code NHWC}). */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  final int[] kernel;
  final int channelMultiplier;
  final int[] strides;
  final int[] rates;
  final Pad padding;
  final boolean withBias;
  final Initializer wInit;
  final Initializer bInit;
  final DataFormat dataFormat;
  @Param Variable w;
  @Param Variable b;

  /** A depthwise convolution with a {@code kernelShape} square kernel and multiplier 1. */
  public DepthwiseConv2D(int kernelShape) {
    this(new int[] {kernelShape}, DEFAULT_CHANNEL_MULTIPLIER, null, null, null,
        DEFAULT_WITH_BIAS, null, null, null, null);
  }

  /**
   * A depthwise convolution with every setting.
   *
   * @param kernelShape one value or two
   * @param channelMultiplier filters per input channel, at least 1; default {@value
   *     #DEFAULT_CHANNEL_MULTIPLIER}
   * @param stride one value or two; null for 1
   * @param rate dilation, one value or two; null for 1
   * @param padding {@link Pad#SAME} or {@link Pad#VALID} (Sonnet takes only these here); null for
   *     SAME
   * @param withBias whether to add {@code b}; default {@value #DEFAULT_WITH_BIAS}
   * @param wInit initializer of {@code w}, or null for a truncated normal with standard deviation
   *     {@code 1 / sqrt(kh * kw)}
   * @param bInit initializer of {@code b}, or null for zeros; null when {@code withBias} is false
   * @param dataFormat null for channels-last
   * @param name the module name, or null for {@code depthwise_conv2d}
   */
  public DepthwiseConv2D(int[] kernelShape, int channelMultiplier, int[] stride, int[] rate,
      Pad padding, boolean withBias, Initializer wInit, Initializer bInit, DataFormat dataFormat,
      String name) {
    super(name);
    if (channelMultiplier < 1) {
      throw new IllegalArgumentException("DepthwiseConv2D: channelMultiplier must be >= 1, got "
          + channelMultiplier);
    }
    if (!withBias && bInit != null) {
      throw new IllegalArgumentException("DepthwiseConv2D: when withBias is false, bInit must be"
          + " null");
    }
    this.padding = padding == null ? Pad.SAME : padding;
    if (!this.padding.isString()) {
      throw new IllegalArgumentException("DepthwiseConv2D: padding must be Pad.SAME or"
          + " Pad.VALID, not " + padding + " (as in Sonnet)");
    }
    this.kernel = NnSupport.replicate("DepthwiseConv2D", "kernelShape", kernelShape, 2);
    this.channelMultiplier = channelMultiplier;
    this.strides = NnSupport.replicateOrOne("DepthwiseConv2D", "stride", stride, 2);
    this.rates = NnSupport.replicateOrOne("DepthwiseConv2D", "rate", rate, 2);
    this.withBias = withBias;
    this.wInit = wInit;
    this.bInit = bInit;
    this.dataFormat = dataFormat == null ? DataFormat.CHANNELS_LAST : dataFormat;
  }

  public List<Integer> kernelShape() {
    return NnSupport.list(kernel);
  }

  public List<Integer> stride() {
    return NnSupport.list(strides);
  }

  public List<Integer> rate() {
    return NnSupport.list(rates);
  }

  /** The weights {@code [kh, kw, C, channelMultiplier]}, or null before the first call. */
  public Variable w() {
    return w;
  }

  /** The bias, or null before the first call or without a bias. */
  public Variable b() {
    return b;
  }

  @Build
  void initialize(Tensor x) {
    NnSupport.requireRank(this, x, 4, "[batch, height, width, channels] or channels-first");
    int in = x.dim(dataFormat.channelAxis(4));
    Initializer wi = wInit != null ? wInit
        : Initializers.truncatedNormal(1 / Math.sqrt(kernel[0] * kernel[1]));
    w = variable("w", wi, x.dtype(), kernel[0], kernel[1], in, channelMultiplier);
    if (withBias) {
      b = variable("b", bInit != null ? bInit : Initializers.zeros(), x.dtype(),
          in * channelMultiplier);
    }
  }

  @Override
  public Tensor call(Tensor x) {
    build(x);
    NnSupport.requireRank(this, x, 4, "[batch, height, width, channels] or channels-first");
    NnSupport.requireDim(this, x, dataFormat.channelAxis(4), w.shape().dim(2), "channels");
    ConvOptions options = NnSupport.convOptions(kernel, strides, rates, padding, dataFormat);
    Tensor y = Convolution.depthwiseConv(x, w, options);
    return withBias ? ConvND.addBias(y, b, dataFormat) : y;
  }
}
