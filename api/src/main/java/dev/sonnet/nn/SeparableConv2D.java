package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;
import java.util.List;

/**
 * Sonnet 1's {@code SeparableConv2D}: a depthwise 2-d convolution followed by a pointwise {@code 1
 * x 1} convolution, {@code y = conv1x1(depthwise(x, w_dw), w_pw) + b}; far fewer weights than a
 * full convolution (Chollet, 2017).
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, channels]} ({@code NHWC}) or
 * channels-first; output the same layout with {@code outputChannels} channels, spatial sizes as for
 * {@link Conv2D}.
 *
 * <p><b>Variables</b>, created on the first call: {@code w_dw:[kernel x 2, C, channelMultiplier]}
 * (truncated normal, standard deviation {@code 1 / sqrt(prod(kernel))}), {@code w_pw:[1 x 2, C *
 * channelMultiplier, outputChannels]} ({@code 1 / sqrt(C * channelMultiplier)}), {@code
 * b:[outputChannels]} (zeros).
 *
 * <pre>{@code
 * var sep = new SeparableConv2D(16, 2, 3);   // 16 outputs, 2 filters per channel, kernel 3
 * Tensor y = sep.call(x);
 * }</pre>
 */
public final class SeparableConv2D extends SeparableConvND {
  /** {@code 1} in every dimension: every position is visited, Sonnet's default. */
  public static final List<Integer> DEFAULT_STRIDE = NnSupport.repeat(1, 2);

  /** {@code 1} in every dimension: an undilated kernel, Sonnet's default. */
  public static final List<Integer> DEFAULT_RATE = NnSupport.repeat(1, 2);

  /** A separable convolution with stride 1 and SAME padding. */
  public SeparableConv2D(int outputChannels, int channelMultiplier, int kernelShape) {
    this(
        outputChannels,
        channelMultiplier,
        new int[] {kernelShape},
        NnSupport.ints(DEFAULT_STRIDE),
        NnSupport.ints(DEFAULT_RATE),
        DEFAULT_PADDING,
        DEFAULT_WITH_BIAS,
        DEFAULT_W_DW_INIT,
        DEFAULT_W_PW_INIT,
        DEFAULT_B_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /**
   * Starts a separable convolution with every other setting at its default, e.g. {@code
   * SeparableConv2D.builder(16, 2, 3).stride(2).padding(Pad.VALID).build()}.
   *
   * @param outputChannels channels of the pointwise output, at least 1
   * @param channelMultiplier depthwise filters per input channel, at least 1
   * @param kernelShape the depthwise kernel, one value or 2
   */
  public static SeparableConv2DBuilder builder(
      int outputChannels, int channelMultiplier, int... kernelShape) {
    return new SeparableConv2DBuilder(outputChannels, channelMultiplier, kernelShape);
  }

  /**
   * Every setting; called by {@link SeparableConv2DBuilder}, which documents each and its default.
   * Stride, rate and padding are those of the depthwise convolution.
   */
  @Settings
  SeparableConv2D(
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
    super(
        2,
        outputChannels,
        channelMultiplier,
        kernelShape,
        stride,
        rate,
        padding,
        withBias,
        wDwInit,
        wPwInit,
        bInit,
        dataFormat,
        name);
  }
}
