package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Deferred;
import dev.sonnet.ops.DataFormat;
import java.util.List;

/**
 * A 1-d convolution over a sequence: {@code y = conv1d(x, w) + b}, with TensorFlow's semantics
 * ({@code tf.nn.convolution}) and Sonnet's defaults.
 *
 * <p><b>Shapes.</b> Input {@code [batch, width, channels]} ({@code NWC}, channels-last, the default) or
 * channels-first; output the same layout with {@code outputChannels} channels; each spatial size
 * is {@code ceil(in / stride)} for {@link Pad#SAME}, {@code floor((in - kEff) / stride) + 1}
 * for {@link Pad#VALID} ({@code kEff = (k - 1) * rate + 1}), or that of the padded input for a
 * {@link Pad} function.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code w:[kernel x 1,
 * inChannels, outputChannels]}, by default a truncated normal with standard deviation {@code 1 /
 * sqrt(prod(kernel) * inChannels)}; {@code b:[outputChannels]}, zeros by default.
 *
 * <pre>{@code
 * var conv = new Conv1D(16, 3);
 * conv.call(Tensor.zeros(DType.FLOAT32, 8, 32, 3)).shape();   // [8, 32, 16]
 * Layer back = conv.transpose();   // Conv1DTranspose back to the input's shape
 * }</pre>
 */
public final class Conv1D extends ConvND {
  /** {@code 1} in every dimension: every position is visited, Sonnet's default. */
  public static final List<Integer> DEFAULT_STRIDE = NnSupport.repeat(1, 1);

  /** {@code 1} in every dimension: an undilated kernel, Sonnet's default. */
  public static final List<Integer> DEFAULT_RATE = NnSupport.repeat(1, 1);

  /** {@link Pad#SAME}: at stride 1 the output keeps the input's size, Sonnet's default. */
  public static final Pad DEFAULT_PADDING = Pad.SAME;

  /** {@code true}: a convolution usually adds a per-channel bias (off before a BatchNorm). */
  public static final boolean DEFAULT_WITH_BIAS = true;

  /** {@link DataFormat#CHANNELS_LAST} ({@code NWC}), as in Sonnet and TensorFlow. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  /** {@code outputChannels} filters of size {@code kernelShape} in every dimension. */
  public Conv1D(int outputChannels, int kernelShape) {
    this(outputChannels, new int[] {kernelShape}, null, null, null, DEFAULT_WITH_BIAS, null,
        null, null, null);
  }

  /** {@code outputChannels} filters of size {@code kernelShape}, moved by {@code stride}. */
  public Conv1D(int outputChannels, int kernelShape, int stride) {
    this(outputChannels, new int[] {kernelShape}, new int[] {stride}, null, null,
        DEFAULT_WITH_BIAS, null, null, null, null);
  }

  /**
   * A convolution with every setting.
   *
   * @param outputChannels the number of output channels, at least 1
   * @param kernelShape the kernel size: one value for every dimension, or 1
   * @param stride the step between windows, one value or 1; null for the default,
   *     {@code 1}
   * @param rate the dilation (Sonnet's {@code rate}), one value or 1; null for the default,
   *     {@code 1} (an undilated kernel)
   * @param padding {@link Pad#SAME}, {@link Pad#VALID} or {@link Pad#of padding functions};
   *     null for the default, {@link Pad#SAME}, which keeps the size at stride 1
   * @param withBias whether to add {@code b}; default {@value #DEFAULT_WITH_BIAS}
   * @param wInit initializer of {@code w}, or null for a truncated normal with standard deviation
   *     {@code 1 / sqrt(fanIn)}, {@code fanIn = prod(kernel) * inChannels}, which keeps the
   *     output's variance near the input's
   * @param bInit initializer of {@code b}, or null for zeros; must be null when {@code
   *     withBias} is false
   * @param dataFormat where the channels are; null for the default, channels-last ({@code NWC})
   * @param name the module name, or null for {@code conv1d}
   */
  public Conv1D(int outputChannels, int[] kernelShape, int[] stride, int[] rate, Pad padding,
      boolean withBias, Initializer wInit, Initializer bInit, DataFormat dataFormat,
      String name) {
    super(1, outputChannels, kernelShape, stride, rate, padding, withBias, wInit, bInit,
        dataFormat, name);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Deferred<Conv1DTranspose> transpose() {
    return (Deferred<Conv1DTranspose>) super.transpose();
  }
}
