package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
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
  /** {@code 1}: one filter per input channel, so the output keeps the input's channels. */
  public static final int DEFAULT_CHANNEL_MULTIPLIER = 1;

  /** {@code 1} in both dimensions: every position is visited, Sonnet's default. */
  public static final List<Integer> DEFAULT_STRIDE = NnSupport.repeat(1, 2);

  /** {@code 1} in both dimensions: an undilated kernel, Sonnet's default. */
  public static final List<Integer> DEFAULT_RATE = NnSupport.repeat(1, 2);

  /** {@link Pad#SAME}: at stride 1 the output keeps the input's size, Sonnet's default. */
  public static final Pad DEFAULT_PADDING = Pad.SAME;

  /** {@code true}: as for convolutions, a per-channel bias (off before a BatchNorm). */
  public static final boolean DEFAULT_WITH_BIAS = true;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(kh * kw)}, chosen on
   * the first call; each output sees one input channel, so the fan-in has no channel factor.
   */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros, so the layer starts unbiased; must stay null without a bias. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** {@link DataFormat#CHANNELS_LAST} ({@code NHWC}), as in Sonnet and TF. */
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
    this(
        new int[] {kernelShape},
        DEFAULT_CHANNEL_MULTIPLIER,
        NnSupport.ints(DEFAULT_STRIDE),
        NnSupport.ints(DEFAULT_RATE),
        DEFAULT_PADDING,
        DEFAULT_WITH_BIAS,
        DEFAULT_W_INIT,
        DEFAULT_B_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /**
   * Starts a depthwise convolution with every other setting at its default, e.g. {@code
   * DepthwiseConv2D.builder(3).channelMultiplier(2).padding(Pad.VALID).build()}.
   *
   * @param kernelShape the kernel size: one value for both dimensions, or 2
   */
  public static DepthwiseConv2DBuilder builder(int... kernelShape) {
    return new DepthwiseConv2DBuilder(kernelShape);
  }

  /**
   * Every setting; called by {@link DepthwiseConv2DBuilder}, which documents each and its default.
   * The padding must be {@link Pad#SAME} or {@link Pad#VALID} (Sonnet takes only these here).
   */
  @Settings
  DepthwiseConv2D(
      int[] kernelShape,
      int channelMultiplier,
      int[] stride,
      int[] rate,
      Pad padding,
      boolean withBias,
      Initializer wInit,
      Initializer bInit,
      DataFormat dataFormat,
      String name) {
    super(name);
    if (channelMultiplier < 1) {
      throw new IllegalArgumentException(
          "DepthwiseConv2D: channelMultiplier must be >= 1, got " + channelMultiplier);
    }
    if (!withBias && bInit != null) {
      throw new IllegalArgumentException(
          "DepthwiseConv2D: when withBias is false, bInit must be" + " null");
    }
    this.padding = NnSupport.required("DepthwiseConv2D", "padding", padding);
    if (!this.padding.isString()) {
      throw new IllegalArgumentException(
          "DepthwiseConv2D: padding must be Pad.SAME or"
              + " Pad.VALID, not "
              + padding
              + " (as in Sonnet)");
    }
    this.kernel = NnSupport.replicate("DepthwiseConv2D", "kernelShape", kernelShape, 2);
    this.channelMultiplier = channelMultiplier;
    this.strides = NnSupport.replicateOrOne("DepthwiseConv2D", "stride", stride, 2);
    this.rates = NnSupport.replicateOrOne("DepthwiseConv2D", "rate", rate, 2);
    this.withBias = withBias;
    this.wInit = wInit;
    this.bInit = bInit;
    this.dataFormat = NnSupport.required("DepthwiseConv2D", "dataFormat", dataFormat);
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
    Initializer wi =
        wInit != null ? wInit : Initializers.truncatedNormal(1 / Math.sqrt(kernel[0] * kernel[1]));
    w = variable("w", wi, x.dtype(), kernel[0], kernel[1], in, channelMultiplier);
    if (withBias) {
      b =
          variable(
              "b", bInit != null ? bInit : Initializers.zeros(), x.dtype(), in * channelMultiplier);
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
