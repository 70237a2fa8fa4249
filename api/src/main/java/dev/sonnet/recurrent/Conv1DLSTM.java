package dev.sonnet.recurrent;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;

/**
 * A 1-d convolutional LSTM (Sonnet 2's {@code Conv1DLSTM}): input {@code [batch, width,
 * inChannels]}, state and output {@code [batch, width, outputChannels]} (channels-last); see {@link
 * ConvNDLSTM} for the equations, shapes and variables.
 *
 * <pre>{@code
 * var lstm = Conv1DLSTM.builder(new int[] {32, 3}, 16, 5).build();
 * Tensor x = Tensor.zeros(DType.FLOAT32, 10, 8, 32, 3);     // [T, batch, width, channels]
 * Unrolled<LSTMState> out = Unroll.dynamicUnroll(lstm, x, lstm.initialState(8));
 * out.outputs().shape();                                   // [10, 8, 32, 16]
 * }</pre>
 */
public final class Conv1DLSTM extends ConvNDLSTM {
  /** A core for inputs {@code [batch, inputShape...]}, every other setting at its default. */
  public Conv1DLSTM(int[] inputShape, int outputChannels, int... kernelShape) {
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
   * Starts a Conv1DLSTM with every other setting at its default, e.g. {@code
   * Conv1DLSTM.builder(inputShape, 16, 5).forgetBias(0.0).build()}.
   *
   * @param inputShape the input's shape without the batch: 1 spatial sizes and the channels
   * @param outputChannels the channels {@code C} of the hidden state and cell, at least 1
   * @param kernelShape the kernel size: one value for every dimension, or 1
   */
  public static Conv1DLSTMBuilder builder(
      int[] inputShape, int outputChannels, int... kernelShape) {
    return new Conv1DLSTMBuilder(inputShape, outputChannels, kernelShape);
  }

  /** Every setting; called by {@link Conv1DLSTMBuilder}, which documents each and its default. */
  @Settings
  Conv1DLSTM(
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
        1,
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
