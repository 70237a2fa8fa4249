package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;
import java.util.List;

/**
 * A 1-d convolution over a sequence: {@code y = conv1d(x, w) + b}, with TensorFlow's semantics
 * ({@code tf.nn.convolution}) and Sonnet's defaults.
 *
 * <p><b>Shapes.</b> Input {@code [batch, width, channels]} ({@code NWC}, channels-last, the
 * default) or channels-first; output the same layout with {@code outputChannels} channels; each
 * spatial size is {@code ceil(in / stride)} for {@link Pad#SAME}, {@code floor((in - kEff) /
 * stride) + 1} for {@link Pad#VALID} ({@code kEff = (k - 1) * rate + 1}), or that of the padded
 * input for a {@link Pad} function.
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

  /** {@code outputChannels} filters of size {@code kernelShape} in every dimension. */
  public Conv1D(int outputChannels, int kernelShape) {
    this(
        outputChannels,
        new int[] {kernelShape},
        NnSupport.ints(DEFAULT_STRIDE),
        NnSupport.ints(DEFAULT_RATE),
        DEFAULT_PADDING,
        DEFAULT_WITH_BIAS,
        DEFAULT_W_INIT,
        DEFAULT_B_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /** {@code outputChannels} filters of size {@code kernelShape}, moved by {@code stride}. */
  public Conv1D(int outputChannels, int kernelShape, int stride) {
    this(
        outputChannels,
        new int[] {kernelShape},
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
   * Starts a Conv1D with every other setting at its default, e.g. {@code Conv1D.builder(16,
   * 3).stride(2).padding(Pad.VALID).build()}.
   *
   * @param outputChannels the number of output channels, at least 1
   * @param kernelShape the kernel size: one value for every dimension, or 1
   */
  public static Conv1DBuilder builder(int outputChannels, int... kernelShape) {
    return new Conv1DBuilder(outputChannels, kernelShape);
  }

  /** Every setting; called by {@link Conv1DBuilder}, which documents each and its default. */
  @Settings
  Conv1D(
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
    super(
        1,
        outputChannels,
        kernelShape,
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
  public Deferred<Conv1DTranspose> transpose() {
    return (Deferred<Conv1DTranspose>) super.transpose();
  }
}
