package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Deferred;
import dev.sonnet.ops.DataFormat;
import java.util.List;

/**
 * A 1-d transposed convolution ({@code tf.nn.conv_transpose}): the gradient of a {@link
 * Conv1D} with respect to its input, used to upsample: {@code y = conv1d_transpose(x, w) + b}.
 *
 * <p><b>Shapes.</b> Input {@code [batch, width, channels]} ({@code NWC}) or channels-first; output the same
 * layout with {@code outputChannels} channels and spatial shape {@code outputShape}, by default
 * the largest consistent one: {@code in * stride} for SAME, {@code in * stride + kEff - 1} for
 * VALID ({@code kEff = (k - 1) * rate + 1}).
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code w:[kernel x 1,
 * outputChannels, inChannels]} (TensorFlow's order), by default a truncated normal with standard
 * deviation {@code 1 / sqrt(prod(kernel) * outputChannels)} (all but the last dimension of
 * {@code w}, as Sonnet computes it); {@code b:[outputChannels]}, zeros by default.
 *
 * <pre>{@code
 * var up = new Conv1DTranspose(8, 3, 2);   // doubles each spatial size
 * Tensor y = up.call(x);
 * }</pre>
 */
public final class Conv1DTranspose extends ConvNDTranspose {
  /** {@code 1} in every dimension: no upsampling, Sonnet's default. */
  public static final List<Integer> DEFAULT_STRIDE = NnSupport.repeat(1, 1);

  /** {@code 1} in every dimension: an undilated kernel, Sonnet's default. */
  public static final List<Integer> DEFAULT_RATE = NnSupport.repeat(1, 1);

  /** {@link Pad#SAME}, Sonnet's default: the output is {@code in * stride}. */
  public static final Pad DEFAULT_PADDING = Pad.SAME;

  /** {@code true}: a per-channel bias, as for convolutions. */
  public static final boolean DEFAULT_WITH_BIAS = true;

  /** {@link DataFormat#CHANNELS_LAST} ({@code NWC}), as in Sonnet and TensorFlow. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  /** {@code outputChannels} filters of size {@code kernelShape}, stride 1. */
  public Conv1DTranspose(int outputChannels, int kernelShape) {
    this(outputChannels, new int[] {kernelShape}, null, null, null, null, DEFAULT_WITH_BIAS,
        null, null, null, null);
  }

  /** {@code outputChannels} filters of size {@code kernelShape}, upsampling by {@code stride}. */
  public Conv1DTranspose(int outputChannels, int kernelShape, int stride) {
    this(outputChannels, new int[] {kernelShape}, null, new int[] {stride}, null, null,
        DEFAULT_WITH_BIAS, null, null, null, null);
  }

  /**
   * A transposed convolution with every setting.
   *
   * @param outputChannels the number of output channels, at least 1
   * @param kernelShape the kernel size: one value or 1
   * @param outputShape the output's spatial shape (1 values), or null for the largest
   *     consistent one (see the class comment); it must convolve back to the input's shape
   * @param stride one value or 1; null for the default, {@code 1}
   * @param rate the dilation, one value or 1; null for the default, {@code 1}
   * @param padding {@link Pad#SAME} or {@link Pad#VALID} (padding functions are not
   *     supported, as in Sonnet); null for the default, {@link Pad#SAME}
   * @param withBias whether to add {@code b}; default {@value #DEFAULT_WITH_BIAS}
   * @param wInit initializer of {@code w}, or null for a truncated normal with standard deviation
   *     {@code 1 / sqrt(prod(kernel) * outputChannels)}, Sonnet's fan-in for this layout
   * @param bInit initializer of {@code b}, or null for zeros; must be null when {@code
   *     withBias} is false
   * @param dataFormat where the channels are; null for the default, channels-last ({@code NWC})
   * @param name the module name, or null for {@code conv1d_transpose}
   */
  public Conv1DTranspose(int outputChannels, int[] kernelShape, int[] outputShape, int[] stride,
      int[] rate, Pad padding, boolean withBias, Initializer wInit, Initializer bInit,
      DataFormat dataFormat, String name) {
    super(1, outputChannels, kernelShape, outputShape, stride, rate, padding, withBias, wInit,
        bInit, dataFormat, name);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Deferred<Conv1D> transpose() {
    return (Deferred<Conv1D>) super.transpose();
  }
}
