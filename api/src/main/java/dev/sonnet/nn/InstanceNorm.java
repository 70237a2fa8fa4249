package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;

/**
 * Instance normalisation (Ulyanov et al., 2016): {@link LayerNorm} over the spatial axes of each
 * example and channel, {@code y = (x - mean) / sqrt(var + eps) * scale + offset}.
 *
 * <p><b>Shapes.</b> Input {@code [batch, spatial..., channels]} (or channels-first), rank at least
 * 3; output the same.
 *
 * <p><b>Variables:</b> {@code scale} (ones) and {@code offset} (zeros), {@code [C]} (or {@code [C,
 * 1, ...]} channels-first), when created.
 *
 * <pre>{@code
 * var norm = new InstanceNorm(true, true);
 * Tensor y = norm.call(images);   // each image and channel: mean 0, variance 1
 * }</pre>
 */
public final class InstanceNorm extends LayerNorm {
  /** An instance norm with the default eps, channels-last. */
  public InstanceNorm(boolean createScale, boolean createOffset) {
    this(
        createScale,
        createOffset,
        DEFAULT_EPS,
        DEFAULT_SCALE_INIT,
        DEFAULT_OFFSET_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /**
   * Starts an instance norm with every other setting at its default (those of {@link LayerNorm}),
   * e.g. {@code InstanceNorm.builder(true, true).eps(1e-3).build()}.
   *
   * @param createScale whether to learn {@code scale}; required, as in Sonnet
   * @param createOffset whether to learn {@code offset}; required, as in Sonnet
   */
  public static InstanceNormBuilder builder(boolean createScale, boolean createOffset) {
    return new InstanceNormBuilder(createScale, createOffset);
  }

  /** Every setting; called by {@link InstanceNormBuilder}, which documents each and its default. */
  @Settings
  InstanceNorm(
      boolean createScale,
      boolean createOffset,
      double eps,
      Initializer scaleInit,
      Initializer offsetInit,
      DataFormat dataFormat,
      String name) {
    super(null, createScale, createOffset, eps, scaleInit, offsetInit, dataFormat, name);
  }

  @Override
  int[] axes(int rank) {
    if (rank < 3) {
      throw new dev.sonnet.tensor.ShapeException(
          "InstanceNorm '"
              + path()
              + "': input rank "
              + rank
              + " has no spatial axes; it needs [batch, spatial..., channels]");
    }
    int[] out = new int[rank - 2];
    int first = dataFormat == DataFormat.CHANNELS_LAST ? 1 : 2;
    for (int i = 0; i < out.length; i++) {
      out[i] = first + i;
    }
    return out;
  }
}
