package dev.sonnet.spatial;

import dev.sonnet.autodiff.Gradients;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Sonnet 1's resampler ({@code snt.resampler}, later {@code tf.contrib.resampler}): bilinear
 * sampling of images at float coordinates, the sampling step of a spatial transformer.
 *
 * <p>{@code resample(data [B, H, W, C], warp [B, d..., 2])} is {@code [B, d..., C]}: each point
 * {@code (x, y) = (warp[..., 0], warp[..., 1])} (x along the width, y along the height, in pixels)
 * interpolates its four neighbours {@code (floor(x) + {0, 1}, floor(y) + {0, 1})} with weights
 * {@code (1 - |x - xi|)(1 - |y - yi|)}. The image is zero outside: a neighbour outside it reads 0,
 * so a point fades smoothly to 0 across the border, and a point with {@code x <= -1}, {@code x >=
 * W}, {@code y <= -1} or {@code y >= H} is 0.
 *
 * <p><b>Gradients</b> flow to {@code data} (each output scattered back to its four neighbours) and
 * to {@code warp} (the derivative of the weights: piecewise linear, undefined exactly on integer
 * coordinates, where the value of either side is taken). The op is built from dispatched operations
 * (a gather, comparisons and arithmetic), so it runs on every backend and is differentiable to any
 * order without kernels of its own.
 *
 * <pre>{@code
 * Tensor warped = Resampler.resample(images, grid);      // grid from an AffineGridWarper
 * }</pre>
 */
public final class Resampler {
  private Resampler() {}

  /**
   * Samples {@code data} at {@code warp}; see the class comment.
   *
   * @throws ShapeException if {@code data} is not rank 4, {@code warp}'s last dimension is not 2,
   *     the batch sizes differ, or the dtypes are not the same floating type
   */
  public static Tensor resample(Tensor data, Tensor warp) {
    if (data.rank() != 4) {
      throw new ShapeException(
          "resampler: data must be [batch, height, width, channels], got " + data.shape());
    }
    if (warp.rank() < 2 || warp.dim(warp.rank() - 1) != 2) {
      throw new ShapeException(
          "resampler: warp must be [batch, ..., 2] (x, y per point), got " + warp.shape());
    }
    if (warp.dim(0) != data.dim(0)) {
      throw new ShapeException(
          "resampler: data "
              + data.shape()
              + " and warp "
              + warp.shape()
              + " have different batch sizes");
    }
    if (!data.dtype().isFloating() || warp.dtype() != data.dtype()) {
      throw new IllegalArgumentException(
          "resampler: data and warp must have the same floating dtype, got "
              + data.dtype()
              + " and "
              + warp.dtype());
    }
    int batch = data.dim(0);
    int height = data.dim(1);
    int width = data.dim(2);
    int channels = data.dim(3);
    int[] warpDims = warp.shape().dims();
    int points = warp.shape().intSize() / (2 * batch);
    DType dtype = data.dtype();

    Tensor w = warp.reshape(batch, points, 2);
    List<Tensor> xy = ShapeOps.split(w, 2, 2);
    Tensor x = xy.get(0).reshape(batch, points);
    Tensor y = xy.get(1).reshape(batch, points);
    // Corner coordinates carry no gradient; clipping first keeps the int conversion in range
    // (points clipped are outside the image, where every corner is masked out anyway).
    Tensor x0 = floor(Gradients.stop(x).clip(-2, width + 1));
    Tensor y0 = floor(Gradients.stop(y).clip(-2, height + 1));
    Tensor x1 = x0.add(1);
    Tensor y1 = y0.add(1);
    // Bilinear weights; differentiable in x and y.
    Tensor wx1 = x.sub(x0);
    Tensor wx0 = x1.sub(x);
    Tensor wy1 = y.sub(y0);
    Tensor wy0 = y1.sub(y);

    Tensor flat = data.reshape(batch * height * width, channels);
    if ((long) batch * height * width > Integer.MAX_VALUE) {
      throw new ShapeException(
          "resampler: data " + data.shape() + " has more pixels than an int32 index can address");
    }
    // The flat row of each point's image: integer arithmetic, exact for any image size.
    int[] base = new int[batch * points];
    for (int b = 0; b < batch; b++) {
      for (int p = 0; p < points; p++) {
        base[b * points + p] = b * height * width;
      }
    }
    Tensor rowBase = Tensor.of(base, batch, points);

    List<Tensor> terms = new ArrayList<>(4);
    terms.add(corner(flat, rowBase, x0, y0, wx0.mul(wy0), width, height));
    terms.add(corner(flat, rowBase, x1, y0, wx1.mul(wy0), width, height));
    terms.add(corner(flat, rowBase, x0, y1, wx0.mul(wy1), width, height));
    terms.add(corner(flat, rowBase, x1, y1, wx1.mul(wy1), width, height));
    Tensor out = terms.get(0).add(terms.get(1)).add(terms.get(2)).add(terms.get(3));
    int[] outDims = warpDims.clone();
    outDims[outDims.length - 1] = channels;
    return out.reshape(outDims);
  }

  /** One corner's contribution: its pixel (0 outside the image) times its weight. */
  private static Tensor corner(
      Tensor flat, Tensor rowBase, Tensor xi, Tensor yi, Tensor weight, int width, int height) {
    DType dtype = flat.dtype();
    Tensor inside =
        xi.greaterEqual(Tensor.scalar(0.0).cast(dtype))
            .cast(dtype)
            .mul(xi.lessEqual(Tensor.scalar((double) width - 1).cast(dtype)).cast(dtype))
            .mul(yi.greaterEqual(Tensor.scalar(0.0).cast(dtype)).cast(dtype))
            .mul(yi.lessEqual(Tensor.scalar((double) height - 1).cast(dtype)).cast(dtype));
    Tensor xc = xi.clip(0, width - 1);
    Tensor yc = yi.clip(0, height - 1);
    Tensor index =
        rowBase.add(yc.cast(DType.INT32).mul(Tensor.scalar(width))).add(xc.cast(DType.INT32));
    Tensor pixels = ShapeOps.gather(flat, index, 0); // [batch, points, channels]
    Tensor scale = weight.mul(inside);
    int batch = scale.dim(0);
    int points = scale.dim(1);
    return pixels.mul(scale.reshape(batch, points, 1));
  }

  /** {@code floor(v)} from truncation: {@code trunc(v) - (v < trunc(v) ? 1 : 0)}. */
  private static Tensor floor(Tensor v) {
    Tensor t = v.cast(DType.INT32).cast(v.dtype());
    return t.sub(v.less(t).cast(v.dtype()));
  }
}
