package dev.sonnet.ops;

/**
 * Where the channel axis of a convolution or pooling input lies.
 *
 * <p>Sonnet names these {@code NWC / NHWC / NDHWC} ({@link #CHANNELS_LAST}, the default, as in
 * TensorFlow) and {@code NCW / NCHW / NCDHW} ({@link #CHANNELS_FIRST}). Filters keep the layout
 * {@code [kernel..., in, out]} whatever the data format, as in {@code tf.nn.convolution}.
 */
public enum DataFormat {
  /** {@code [batch, spatial..., channels]}: the layout the kernels use directly. */
  CHANNELS_LAST("N...C"),
  /** {@code [batch, channels, spatial...]}: transposed to channels-last and back around each op. */
  CHANNELS_FIRST("NC...");

  private final String pattern;

  DataFormat(String pattern) {
    this.pattern = pattern;
  }

  /** The axis holding channels in a tensor of {@code rank}: 1, or {@code rank - 1}. */
  public int channelAxis(int rank) {
    return this == CHANNELS_FIRST ? 1 : rank - 1;
  }

  /** The first spatial axis: 2 for channels-first, 1 for channels-last. */
  public int firstSpatialAxis() {
    return this == CHANNELS_FIRST ? 2 : 1;
  }

  /** Like {@code N...C}. */
  public String pattern() {
    return pattern;
  }
}
