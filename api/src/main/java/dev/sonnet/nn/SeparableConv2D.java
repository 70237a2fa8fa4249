package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.ops.DataFormat;
import java.util.List;

/**
 * Sonnet 1's {@code SeparableConv2D}: a depthwise 2-d convolution followed by a pointwise
 * {@code 1 x 1} convolution, {@code y = conv1x1(depthwise(x, w_dw), w_pw) + b}; far fewer
 * weights than a full convolution (Chollet, 2017).
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, channels]} ({@code NHWC}) or channels-first; output the
 * same layout with {@code outputChannels} channels, spatial sizes as for {@link Conv2D}.
 *
 * <p><b>Variables</b>, created on the first call: {@code w_dw:[kernel x 2, C,
 * channelMultiplier]} (truncated normal, standard deviation {@code 1 / sqrt(prod(kernel))}),
 * {@code w_pw:[1 x 2, C * channelMultiplier, outputChannels]} ({@code 1 / sqrt(C *
 * channelMultiplier)}), {@code b:[outputChannels]} (zeros).
 *
 * <pre>{@code
 * var sep = new SeparableConv2D(16, 2, 3);   // 16 outputs, 2 filters per channel, kernel 3
 * Tensor y = sep.call(x);
 * }</pre>
 */
public final class SeparableConv2D extends SeparableConvND {
  /** {@code 1} in every dimension. */
  public static final List<Integer> DEFAULT_STRIDE = NnSupport.repeat(1, 2);
  /** {@code 1} in every dimension: an undilated kernel. */
  public static final List<Integer> DEFAULT_RATE = NnSupport.repeat(1, 2);
  /** {@link Pad#SAME}, as for the other convolutions. */
  public static final Pad DEFAULT_PADDING = Pad.SAME;
  /** {@code true}, as for the other convolutions. */
  public static final boolean DEFAULT_WITH_BIAS = true;
  /** Channels-last ({@code NHWC}). */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  /** A separable convolution with stride 1 and SAME padding. */
  public SeparableConv2D(int outputChannels, int channelMultiplier, int kernelShape) {
    this(outputChannels, channelMultiplier, new int[] {kernelShape}, null, null, null,
        DEFAULT_WITH_BIAS, null, null, null, null, null);
  }

  /**
   * A separable convolution with every setting.
   *
   * @param outputChannels channels of the pointwise output, at least 1
   * @param channelMultiplier depthwise filters per input channel, at least 1
   * @param kernelShape the depthwise kernel, one value or 2
   * @param stride of the depthwise convolution, one value or 2; null for 1
   * @param rate dilation of the depthwise convolution; null for 1
   * @param padding of the depthwise convolution: {@link Pad#SAME}, {@link Pad#VALID} or
   *     padding functions; null for SAME, which keeps the size at stride 1
   * @param withBias whether to add {@code b}; default {@value #DEFAULT_WITH_BIAS}
   * @param wDwInit null for a truncated normal with standard deviation {@code 1 /
   *     sqrt(prod(kernel))}
   * @param wPwInit null for a truncated normal with standard deviation {@code 1 / sqrt(C *
   *     channelMultiplier)}
   * @param bInit null for zeros; null when {@code withBias} is false
   * @param dataFormat null for channels-last
   * @param name null for {@code separable_conv2d}
   */
  public SeparableConv2D(int outputChannels, int channelMultiplier, int[] kernelShape,
      int[] stride, int[] rate, Pad padding, boolean withBias, Initializer wDwInit,
      Initializer wPwInit, Initializer bInit, DataFormat dataFormat, String name) {
    super(2, outputChannels, channelMultiplier, kernelShape, stride, rate, padding, withBias,
        wDwInit, wPwInit, bInit, dataFormat, name);
  }
}
