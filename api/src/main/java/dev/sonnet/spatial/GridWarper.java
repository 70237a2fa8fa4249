package dev.sonnet.spatial;

import dev.sonnet.module.Layer;

/**
 * A grid generator of a spatial transformer (Sonnet 1's {@code snt.GridWarper}): maps the
 * parameters of a transform, {@code [batch, params]}, to the coordinates in a source of shape
 * {@link #sourceShape()} at which to sample each point of an output of shape {@link
 * #outputShape()}, as {@code [batch, output..., 2]} for {@link Resampler#resample}.
 */
public sealed interface GridWarper extends Layer permits AffineGridWarper {
  /** The sampled image's spatial shape, {@code [height, width]}. */
  int[] sourceShape();

  /** The grid's spatial shape, {@code [height, width]}. */
  int[] outputShape();
}
