package dev.sonnet.ops;

import java.util.Arrays;
import java.util.Objects;

/**
 * Settings of a convolution: stride, dilation (Sonnet's {@code rate}), padding and data format.
 * Immutable; start from {@link #DEFAULT} and change what you need:
 *
 * <pre>{@code
 * ConvOptions o = ConvOptions.DEFAULT.withStride(2).withPadding(Padding.VALID);
 * }</pre>
 *
 * <p>Stride and dilation take one value (used for every spatial dimension) or one per spatial
 * dimension, like Sonnet's {@code utils.replicate}.
 */
public final class ConvOptions {
  /** Stride 1 and dilation 1: Sonnet's defaults for {@code stride} and {@code rate}. */
  public static final int DEFAULT_STRIDE = 1;

  /**
   * {@link Padding#SAME}, the default of Sonnet's {@code ConvND}: at stride 1 the output keeps the
   * input's spatial size.
   */
  public static final Padding DEFAULT_PADDING = Padding.SAME;

  /** {@link DataFormat#CHANNELS_LAST}, the default of Sonnet and TensorFlow ({@code NHWC}). */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  /** Stride 1, dilation 1, SAME padding, channels-last. */
  public static final ConvOptions DEFAULT =
      new ConvOptions(
          new int[] {DEFAULT_STRIDE},
          new int[] {DEFAULT_STRIDE},
          DEFAULT_PADDING,
          DEFAULT_DATA_FORMAT);

  private final int[] stride;
  private final int[] dilation;
  private final Padding padding;
  private final DataFormat dataFormat;

  private ConvOptions(int[] stride, int[] dilation, Padding padding, DataFormat dataFormat) {
    this.stride = stride;
    this.dilation = dilation;
    this.padding = padding;
    this.dataFormat = dataFormat;
  }

  /** These options with {@code stride} (one value, or one per spatial dimension; each >= 1). */
  public ConvOptions withStride(int... stride) {
    return new ConvOptions(checkPositive("stride", stride), dilation, padding, dataFormat);
  }

  /**
   * These options with {@code dilation} (Sonnet's {@code rate}): the window reads every {@code
   * dilation}-th input position. One value, or one per spatial dimension; each >= 1.
   */
  public ConvOptions withDilation(int... dilation) {
    return new ConvOptions(stride, checkPositive("dilation", dilation), padding, dataFormat);
  }

  /** These options with {@code padding}. */
  public ConvOptions withPadding(Padding padding) {
    return new ConvOptions(
        stride, dilation, Objects.requireNonNull(padding, "padding"), dataFormat);
  }

  /** These options with {@code dataFormat}. */
  public ConvOptions withDataFormat(DataFormat dataFormat) {
    return new ConvOptions(
        stride, dilation, padding, Objects.requireNonNull(dataFormat, "dataFormat"));
  }

  public int[] stride() {
    return stride.clone();
  }

  public int[] dilation() {
    return dilation.clone();
  }

  public Padding padding() {
    return padding;
  }

  public DataFormat dataFormat() {
    return dataFormat;
  }

  /** The stride for {@code n} spatial dimensions, checked. */
  int[] stride(String op, int n) {
    return replicate(op, "stride", stride, n);
  }

  /** The dilation for {@code n} spatial dimensions, checked. */
  int[] dilation(String op, int n) {
    return replicate(op, "dilation", dilation, n);
  }

  static int[] replicate(String op, String what, int[] values, int n) {
    if (values.length == n) {
      return values.clone();
    }
    if (values.length == 1) {
      int[] out = new int[n];
      Arrays.fill(out, values[0]);
      return out;
    }
    throw new IllegalArgumentException(
        op
            + ": "
            + what
            + " "
            + Arrays.toString(values)
            + " has "
            + values.length
            + " entries but the input has "
            + n
            + " spatial dimensions; give one "
            + "value for all or one per dimension");
  }

  static int[] checkPositive(String what, int[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException(what + " needs at least one value");
    }
    for (int v : values) {
      if (v < 1) {
        throw new IllegalArgumentException(
            what + " values must be >= 1, got " + Arrays.toString(values));
      }
    }
    return values.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvOptions c
        && Arrays.equals(c.stride, stride)
        && Arrays.equals(c.dilation, dilation)
        && c.padding.equals(padding)
        && c.dataFormat == dataFormat;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(stride), Arrays.hashCode(dilation), padding, dataFormat);
  }

  /** Like {@code ConvOptions(stride=2, padding=VALID)}; defaults are omitted. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ConvOptions(");
    String sep = "";
    if (!isDefault(stride)) {
      sb.append("stride=").append(format(stride));
      sep = ", ";
    }
    if (!isDefault(dilation)) {
      sb.append(sep).append("dilation=").append(format(dilation));
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

  private static boolean isDefault(int[] v) {
    for (int x : v) {
      if (x != 1) {
        return false;
      }
    }
    return true;
  }

  static String format(int[] v) {
    return v.length == 1 ? Integer.toString(v[0]) : Arrays.toString(v);
  }
}
