package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Settings;
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

  /** A causal convolution with stride and rate 1. */
  public CausalConv1D(int outputChannels, int kernelShape) {
    this(outputChannels, kernelShape, 1, 1);
  }

  /** A causal convolution with the given stride and dilation rate. */
  public CausalConv1D(int outputChannels, int kernelShape, int stride, int rate) {
    this(
        outputChannels,
        new int[] {kernelShape},
        new int[] {stride},
        new int[] {rate},
        DEFAULT_WITH_BIAS,
        DEFAULT_W_INIT,
        DEFAULT_B_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /**
   * Starts a CausalConv1D with every other setting at its default, e.g. {@code
   * CausalConv1D.builder(8, 3).rate(2).withBias(false).build()}.
   */
  public static CausalConv1DBuilder builder(int outputChannels, int... kernelShape) {
    return new CausalConv1DBuilder(outputChannels, kernelShape);
  }

  /**
   * Every setting; called by {@link CausalConv1DBuilder}, which documents each and its default. The
   * padding is always causal.
   */
  @Settings
  CausalConv1D(
      int outputChannels,
      int[] kernelShape,
      int[] stride,
      int[] rate,
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
        Pad.of(Pad.Fn.CAUSAL),
        withBias,
        wInit,
        bInit,
        dataFormat,
        name);
  }
}
