package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
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
  /** {@code 1e-5}, as {@link LayerNorm}. */
  public static final double DEFAULT_EPS = LayerNorm.DEFAULT_EPS;

  /** Channels-last. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  /** An instance norm with the default eps, channels-last. */
  public InstanceNorm(boolean createScale, boolean createOffset) {
    this(createScale, createOffset, DEFAULT_EPS, null, null, DEFAULT_DATA_FORMAT, null);
  }

  /**
   * @param createScale whether to learn {@code scale}; required, as in Sonnet
   * @param createOffset whether to learn {@code offset}; required, as in Sonnet
   * @param eps added to the variance; default {@value #DEFAULT_EPS}
   * @param scaleInit null for ones; null when {@code createScale} is false
   * @param offsetInit null for zeros; null when {@code createOffset} is false
   * @param dataFormat default channels-last
   * @param name the module name, or null for {@code instance_norm}
   */
  public InstanceNorm(boolean createScale, boolean createOffset, double eps,
      Initializer scaleInit, Initializer offsetInit, DataFormat dataFormat, String name) {
    super(null, createScale, createOffset, eps, scaleInit, offsetInit, dataFormat, name);
  }

  @Override
  int[] axes(int rank) {
    if (rank < 3) {
      throw new dev.sonnet.tensor.ShapeException("InstanceNorm '" + path() + "': input rank "
          + rank + " has no spatial axes; it needs [batch, spatial..., channels]");
    }
    int[] out = new int[rank - 2];
    int first = dataFormat == DataFormat.CHANNELS_LAST ? 1 : 2;
    for (int i = 0; i < out.length; i++) {
      out[i] = first + i;
    }
    return out;
  }
}
