package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;
import java.util.List;

/**
 * A 2-d transposed convolution ({@code tf.nn.conv_transpose}): the gradient of a {@link Conv2D}
 * with respect to its input, used to upsample: {@code y = conv2d_transpose(x, w) + b}.
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, channels]} ({@code NHWC}) or
 * channels-first; output the same layout with {@code outputChannels} channels and spatial shape
 * {@code outputShape}, by default the largest consistent one: {@code in * stride} for SAME, {@code
 * in * stride + kEff - 1} for VALID ({@code kEff = (k - 1) * rate + 1}).
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code w:[kernel x 2,
 * outputChannels, inChannels]} (TensorFlow's order), by default a truncated normal with standard
 * deviation {@code 1 / sqrt(prod(kernel) * outputChannels)} (all but the last dimension of {@code
 * w}, as Sonnet computes it); {@code b:[outputChannels]}, zeros by default.
 *
 * <pre>{@code
 * var up = new Conv2DTranspose(8, 3, 2);   // doubles each spatial size
 * Tensor y = up.call(x);
 * }</pre>
 */
public final class Conv2DTranspose extends ConvNDTranspose {
  /** {@code 1} in every dimension: no upsampling, Sonnet's default. */
  public static final List<Integer> DEFAULT_STRIDE = NnSupport.repeat(1, 2);

  /** {@code 1} in every dimension: an undilated kernel, Sonnet's default. */
  public static final List<Integer> DEFAULT_RATE = NnSupport.repeat(1, 2);

  /** {@code outputChannels} filters of size {@code kernelShape}, stride 1. */
  public Conv2DTranspose(int outputChannels, int kernelShape) {
    this(
        outputChannels,
        new int[] {kernelShape},
        DEFAULT_OUTPUT_SHAPE,
        NnSupport.ints(DEFAULT_STRIDE),
        NnSupport.ints(DEFAULT_RATE),
        DEFAULT_PADDING,
        DEFAULT_WITH_BIAS,
        DEFAULT_W_INIT,
        DEFAULT_B_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /** {@code outputChannels} filters of size {@code kernelShape}, upsampling by {@code stride}. */
  public Conv2DTranspose(int outputChannels, int kernelShape, int stride) {
    this(
        outputChannels,
        new int[] {kernelShape},
        DEFAULT_OUTPUT_SHAPE,
        new int[] {stride},
        NnSupport.ints(DEFAULT_RATE),
        DEFAULT_PADDING,
        DEFAULT_WITH_BIAS,
        DEFAULT_W_INIT,
        DEFAULT_B_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /**
   * Starts a Conv2DTranspose with every other setting at its default, e.g. {@code
   * Conv2DTranspose.builder(8, 3).stride(2).outputShape(...).build()}.
   *
   * @param outputChannels the number of output channels, at least 1
   * @param kernelShape the kernel size: one value for every dimension, or 2
   */
  public static Conv2DTransposeBuilder builder(int outputChannels, int... kernelShape) {
    return new Conv2DTransposeBuilder(outputChannels, kernelShape);
  }

  /**
   * Every setting; called by {@link Conv2DTransposeBuilder}, which documents each and its default.
   */
  @Settings
  Conv2DTranspose(
      int outputChannels,
      int[] kernelShape,
      int[] outputShape,
      int[] stride,
      int[] rate,
      Pad padding,
      boolean withBias,
      Initializer wInit,
      Initializer bInit,
      DataFormat dataFormat,
      String name) {
    super(
        2,
        outputChannels,
        kernelShape,
        outputShape,
        stride,
        rate,
        padding,
        withBias,
        wInit,
        bInit,
        dataFormat,
        name);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Deferred<Conv2D> transpose() {
    return (Deferred<Conv2D>) super.transpose();
  }
}
