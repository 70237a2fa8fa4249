package dev.sonnet.ops;

import java.util.Arrays;
import java.util.Objects;

/**
 * Settings of a pooling operation: strides, padding and data format. Immutable; start from {@link
 * #DEFAULT}:
 *
 * <pre>{@code
 * Tensor y = Convolution.maxPool(x, new int[] {3, 3},
 *     PoolOptions.DEFAULT.withStride(2).withPadding(Padding.SAME));
 * }</pre>
 */
public final class PoolOptions {
  /**
   * {@link Padding#VALID}: the default of Keras' pooling layers; TensorFlow's {@code max_pool} has
   * no default and Sonnet has no pooling module, so windows stay inside the input unless asked.
   */
  public static final Padding DEFAULT_PADDING = Padding.VALID;

  /** {@link DataFormat#CHANNELS_LAST}, as TensorFlow's {@code NHWC}. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  /**
   * Strides equal to the window (non-overlapping windows, Keras' default), VALID padding,
   * channels-last.
   */
  public static final PoolOptions DEFAULT =
      new PoolOptions(null, DEFAULT_PADDING, DEFAULT_DATA_FORMAT);

  /** Null means "the window size". */
  private final int[] stride;

  private final Padding padding;
  private final DataFormat dataFormat;

  private PoolOptions(int[] stride, Padding padding, DataFormat dataFormat) {
    this.stride = stride;
    this.padding = padding;
    this.dataFormat = dataFormat;
  }

  /** These options with {@code stride} (one value, or one per spatial dimension; each >= 1). */
  public PoolOptions withStride(int... stride) {
    return new PoolOptions(ConvOptions.checkPositive("stride", stride), padding, dataFormat);
  }

  /** These options with {@code padding}. */
  public PoolOptions withPadding(Padding padding) {
    return new PoolOptions(stride, Objects.requireNonNull(padding, "padding"), dataFormat);
  }

  /** These options with {@code dataFormat}. */
  public PoolOptions withDataFormat(DataFormat dataFormat) {
    return new PoolOptions(stride, padding, Objects.requireNonNull(dataFormat, "dataFormat"));
  }

  /** The strides, or null when they default to the window size. */
  public int[] stride() {
    return stride == null ? null : stride.clone();
  }

  public Padding padding() {
    return padding;
  }

  public DataFormat dataFormat() {
    return dataFormat;
  }

  /** The strides for a window of {@code window} (already replicated to the rank). */
  int[] stride(String op, int[] window) {
    return stride == null
        ? window.clone()
        : ConvOptions.replicate(op, "stride", stride, window.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PoolOptions p
        && Arrays.equals(p.stride, stride)
        && p.padding.equals(padding)
        && p.dataFormat == dataFormat;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(stride), padding, dataFormat);
  }

  /** Like {@code PoolOptions(stride=2, padding=SAME)}; defaults are omitted. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("PoolOptions(");
    String sep = "";
    if (stride != null) {
      sb.append("stride=").append(ConvOptions.format(stride));
      sep = ", ";
    }
    if (!padding.equals(DEFAULT_PADDING)) {
      sb.append(sep).append("padding=").append(padding);
      sep = ", ";
    }
    if (dataFormat != DEFAULT_DATA_FORMAT) {
      sb.append(sep).append("dataFormat=").append(dataFormat);
    }
    return sb.append(')').toString();
  }
}
