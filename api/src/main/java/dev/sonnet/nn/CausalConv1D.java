package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.ops.DataFormat;
import java.util.List;

/**
 * Sonnet 1's {@code CausalConv1D}: a 1-d convolution whose output at time {@code t} sees only
 * inputs at times {@code <= t}: the input is padded with {@code kEff - 1} zeros before and none
 * after ({@code Pad.of(Pad.Fn.CAUSAL)}), {@code kEff = (k - 1) * rate + 1}.
 *
 * <p><b>Shapes.</b> Input {@code [batch, time, channels]} (or channels-first); output {@code
 * [batch, ceil(time / stride), outputChannels]}.
 *
 * <p><b>Variables:</b> as {@link Conv1D}: {@code w:[k, in, outputChannels]} (truncated normal,
 * standard deviation {@code 1 / sqrt(k * in)}), {@code b:[outputChannels]} (zeros).
 *
 * <pre>{@code
 * var wavenetLayer = new CausalConv1D(32, 2, 1, 4);   // kernel 2, dilation 4
 * Tensor y = wavenetLayer.call(x);                     // x: [batch, time, channels]
 * }</pre>
 */
public final class CausalConv1D extends ConvND {
  /** {@code [1]}: every time step. */
  public static final List<Integer> DEFAULT_STRIDE = NnSupport.repeat(1, 1);
  /** {@code [1]}: an undilated kernel. */
  public static final List<Integer> DEFAULT_RATE = NnSupport.repeat(1, 1);
  /** {@code true}, as for convolutions. */
  public static final boolean DEFAULT_WITH_BIAS = true;
  /** Channels-last ({@code NWC}). */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  /** A causal convolution with stride and rate 1. */
  public CausalConv1D(int outputChannels, int kernelShape) {
    this(outputChannels, kernelShape, 1, 1);
  }

  /** A causal convolution with the given stride and dilation rate. */
  public CausalConv1D(int outputChannels, int kernelShape, int stride, int rate) {
    this(outputChannels, new int[] {kernelShape}, new int[] {stride}, new int[] {rate},
        DEFAULT_WITH_BIAS, null, null, null, null);
  }

  /**
   * A causal convolution with every setting.
   *
   * @param outputChannels at least 1
   * @param kernelShape the kernel size (one value)
   * @param stride null for 1
   * @param rate the dilation, null for 1
   * @param withBias default {@value #DEFAULT_WITH_BIAS}
   * @param wInit null for a truncated normal with standard deviation {@code 1 / sqrt(k * in)}
   * @param bInit null for zeros; null when {@code withBias} is false
   * @param dataFormat null for channels-last
   * @param name null for {@code causal_conv1d}
   */
  public CausalConv1D(int outputChannels, int[] kernelShape, int[] stride, int[] rate,
      boolean withBias, Initializer wInit, Initializer bInit, DataFormat dataFormat,
      String name) {
    super(1, outputChannels, kernelShape, stride, rate, Pad.of(Pad.Fn.CAUSAL), withBias, wInit,
        bInit, dataFormat, name);
  }
}
