package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;
import java.util.List;

/**
 * A 3-d transposed convolution ({@code tf.nn.conv_transpose}): the gradient of a {@link Conv3D}
 * with respect to its input, used to upsample: {@code y = conv3d_transpose(x, w) + b}.
 *
 * <p><b>Shapes.</b> Input {@code [batch, depth, height, width, channels]} ({@code NDHWC}) or
 * channels-first; output the same layout with {@code outputChannels} channels and spatial shape
 * {@code outputShape}, by default the largest consistent one: {@code in * stride} for SAME, {@code
 * in * stride + kEff - 1} for VALID ({@code kEff = (k - 1) * rate + 1}).
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code w:[kernel x 3,
 * outputChannels, inChannels]} (TensorFlow's order), by default a truncated normal with standard
 * deviation {@code 1 / sqrt(prod(kernel) * outputChannels)} (all but the last dimension of {@code
 * w}, as Sonnet computes it); {@code b:[outputChannels]}, zeros by default.
 *
 * <pre>{@code
 * var up = new Conv3DTranspose(8, 3, 2);   // doubles each spatial size
 * Tensor y = up.call(x);
 * }</pre>
 */
public final class Conv3DTranspose extends ConvNDTranspose {
  /** {@code 1} in every dimension: no upsampling, Sonnet's default. */
  public static final List<Integer> DEFAULT_STRIDE = NnSupport.repeat(1, 3);

  /** {@code 1} in every dimension: an undilated kernel, Sonnet's default. */
  public static final List<Integer> DEFAULT_RATE = NnSupport.repeat(1, 3);

  /** {@code outputChannels} filters of size {@code kernelShape}, stride 1. */
  public Conv3DTranspose(int outputChannels, int kernelShape) {
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
  public Conv3DTranspose(int outputChannels, int kernelShape, int stride) {
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
   * Starts a Conv3DTranspose with every other setting at its default, e.g. {@code
   * Conv3DTranspose.builder(8, 3).stride(2).outputShape(...).build()}.
   *
   * @param outputChannels the number of output channels, at least 1
   * @param kernelShape the kernel size: one value for every dimension, or 3
   */
  public static Conv3DTransposeBuilder builder(int outputChannels, int... kernelShape) {
    return new Conv3DTransposeBuilder(outputChannels, kernelShape);
  }

  /**
   * Every setting; called by {@link Conv3DTransposeBuilder}, which documents each and its default.
   */
  @Settings
  Conv3DTranspose(
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
        3,
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
  public Deferred<Conv3D> transpose() {
    return (Deferred<Conv3D>) super.transpose();
  }
}
