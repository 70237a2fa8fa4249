package dev.sonnet.recurrent;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;

/**
 * A 3-d convolutional LSTM (Sonnet 2's {@code Conv3DLSTM}): input {@code [batch, depth, height,
 * width, inChannels]}, state and output {@code [batch, depth, height, width, outputChannels]}
 * (channels-last); see {@link ConvNDLSTM} for the equations, shapes and variables.
 *
 * <pre>{@code
 * var lstm = Conv3DLSTM.builder(new int[] {4, 16, 16, 3}, 16, 3).build();
 * Tensor x = Tensor.zeros(DType.FLOAT32, 10, 8, 4, 16, 16, 3);     // [T, batch, depth, height, width, channels]
 * Unrolled<LSTMState> out = Unroll.dynamicUnroll(lstm, x, lstm.initialState(8));
 * out.outputs().shape();                                   // [10, 8, 4, 16, 16, 16]
 * }</pre>
 */
public final class Conv3DLSTM extends ConvNDLSTM {
  /** A core for inputs {@code [batch, inputShape...]}, every other setting at its default. */
  public Conv3DLSTM(int[] inputShape, int outputChannels, int... kernelShape) {
    this(
        inputShape,
        outputChannels,
        kernelShape,
        DEFAULT_DATA_FORMAT,
        DEFAULT_WI_INIT,
        DEFAULT_WH_INIT,
        DEFAULT_B_INIT,
        DEFAULT_FORGET_BIAS,
        null);
  }

  /**
   * Starts a Conv3DLSTM with every other setting at its default, e.g. {@code
   * Conv3DLSTM.builder(inputShape, 16, 3).forgetBias(0.0).build()}.
   *
   * @param inputShape the input's shape without the batch: 3 spatial sizes and the channels
   * @param outputChannels the channels {@code C} of the hidden state and cell, at least 1
   * @param kernelShape the kernel size: one value for every dimension, or 3
   */
  public static Conv3DLSTMBuilder builder(
      int[] inputShape, int outputChannels, int... kernelShape) {
    return new Conv3DLSTMBuilder(inputShape, outputChannels, kernelShape);
  }

  /** Every setting; called by {@link Conv3DLSTMBuilder}, which documents each and its default. */
  @Settings
  Conv3DLSTM(
      int[] inputShape,
      int outputChannels,
      int[] kernelShape,
      DataFormat dataFormat,
      Initializer wiInit,
      Initializer whInit,
      Initializer bInit,
      double forgetBias,
      String name) {
    super(
        3,
        inputShape,
        outputChannels,
        kernelShape,
        dataFormat,
        wiInit,
        whInit,
        bInit,
        forgetBias,
        name);
  }
}
