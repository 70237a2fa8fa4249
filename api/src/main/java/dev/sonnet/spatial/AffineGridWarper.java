package dev.sonnet.spatial;

import dev.sonnet.module.Layer;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sonnet 1's affine grid warper ({@code snt.AffineGridWarper}) for 2-D images: maps the parameters
 * of an affine transform to a sampling grid for {@link Resampler#resample}, the grid generator of a
 * spatial transformer (Jaderberg et al. 2015).
 *
 * <p>{@code call(params [batch, numFreeParams])} gives {@code [batch, outH, outW, 2]}: for output
 * pixel {@code (r, c)} with normalized coordinates {@code u = linspace(-1, 1, outW)[c]} and {@code
 * v = linspace(-1, 1, outH)[r]}, and the matrix {@code [[a, b, tx], [c, d, ty]]} (free entries from
 * {@code params} in row-major order, the rest from the {@link AffineWarpConstraints}):
 *
 * <pre>
 * x = (W - 1) / 2 * (a u + b v + tx + 1)      (pixels of the source, along its width W)
 * y = (H - 1) / 2 * (c u + d v + ty + 1)      (along its height H)
 * </pre>
 *
 * so the identity {@code [[1, 0, 0], [0, 1, 0]]} maps the output's corners to the source's. A pure
 * function of its input (no variables), differentiable in {@code params}.
 *
 * <pre>{@code
 * var warper = new AffineGridWarper(new int[] {28, 28}, new int[] {14, 14});
 * Tensor grid = warper.call(theta);                          // theta: [batch, 6]
 * Tensor glimpse = Resampler.resample(images, grid);         // [batch, 14, 14, channels]
 * }</pre>
 */
public final class AffineGridWarper implements GridWarper {
  private final int[] sourceShape;
  private final int[] outputShape;
  private final AffineWarpConstraints constraints;

  /** A warper of every affine transform (6 parameters) from {@code sourceShape} (H, W). */
  public AffineGridWarper(int[] sourceShape, int[] outputShape) {
    this(sourceShape, outputShape, AffineWarpConstraints.noConstraints(2));
  }

  /**
   * A warper of the transforms {@code constraints} allows.
   *
   * @param sourceShape the sampled image's {@code [height, width]}
   * @param outputShape the grid's {@code [height, width]}
   * @throws IllegalArgumentException if the shapes are not 2-D, the constraints not 2-D, or every
   *     entry is fixed
   */
  public AffineGridWarper(int[] sourceShape, int[] outputShape, AffineWarpConstraints constraints) {
    if (sourceShape == null
        || outputShape == null
        || sourceShape.length != 2
        || outputShape.length != 2) {
      throw new IllegalArgumentException(
          "AffineGridWarper: sourceShape and outputShape must be [height, width] (this library's"
              + " warper is 2-D, as the resampler); got "
              + Arrays.toString(sourceShape)
              + " and "
              + Arrays.toString(outputShape));
    }
    for (int d : new int[] {sourceShape[0], sourceShape[1], outputShape[0], outputShape[1]}) {
      if (d < 1) {
        throw new IllegalArgumentException("AffineGridWarper: every size must be >= 1");
      }
    }
    if (constraints == null || constraints.numDim() != 2) {
      throw new IllegalArgumentException(
          "AffineGridWarper: incompatible set of constraints provided: input grid shape and"
              + " constraints have different dimensionality ("
              + constraints
              + ")");
    }
    if (constraints.numFreeParams() == 0) {
      throw new IllegalArgumentException("AffineGridWarper: transformation is fully constrained");
    }
    this.sourceShape = sourceShape.clone();
    this.outputShape = outputShape.clone();
    this.constraints = constraints;
  }

  /** The constraints. */
  public AffineWarpConstraints constraints() {
    return constraints;
  }

  /** The number of parameters per example {@link #call} reads. */
  public int numFreeParams() {
    return constraints.numFreeParams();
  }

  @Override
  public int[] sourceShape() {
    return sourceShape.clone();
  }

  @Override
  public int[] outputShape() {
    return outputShape.clone();
  }

  /** The sampling grid {@code [batch, outH, outW, 2]} for {@code params [batch, numFreeParams]}. */
  @Override
  public Tensor call(Tensor params) {
    return grid(matrix(params), params);
  }

  /** The full {@code [batch, 2, 3]} matrix: free entries from {@code params}, the rest fixed. */
  Tensor matrix(Tensor params) {
    if (params.rank() != 2 || params.dim(1) != numFreeParams()) {
      throw new ShapeException(
          "AffineGridWarper: input size is not consistent with constraint definition: ["
              + "batch, "
              + numFreeParams()
              + "] parameters expected, got "
              + params.shape());
    }
    int batch = params.dim(0);
    List<Tensor> columns = new ArrayList<>(6);
    int next = 0;
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        Double fixed = constraints.get(i, j);
        if (fixed == null) {
          columns.add(
              params.slice(new int[] {0, next}, new int[] {batch, next + 1}, new int[] {1, 1}));
          next++;
        } else {
          columns.add(Tensor.zeros(params.dtype(), batch, 1).add(fixed));
        }
      }
    }
    return ShapeOps.concat(1, columns).reshape(batch, 2, 3);
  }

  /** The grid of the affine matrices {@code m [batch, 2, 3]}. */
  private Tensor grid(Tensor m, Tensor like) {
    int batch = m.dim(0);
    int h = outputShape[0];
    int w = outputShape[1];
    // psi [3, h * w]: rows u, v, 1 for every output pixel in row-major order.
    double[] psi = new double[3 * h * w];
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        int p = r * w + c;
        psi[p] = linspace(c, w);
        psi[h * w + p] = linspace(r, h);
        psi[2 * h * w + p] = 1;
      }
    }
    Tensor features = Tensor.of(psi, 3, h * w).cast(like.dtype());
    Tensor coords = m.matmul(features); // [batch, 2, h * w]
    // Row 0 is x (scaled by the width), row 1 is y (by the height).
    double[] scale = {(sourceShape[1] - 1) / 2.0, (sourceShape[0] - 1) / 2.0};
    Tensor s = Tensor.of(scale, 1, 2, 1).cast(like.dtype());
    coords = coords.add(1).mul(s);
    return coords.permute(0, 2, 1).reshape(batch, h, w, 2);
  }

  /** {@code linspace(-1, 1, n)[i]}; -1 when {@code n == 1}, as numpy gives. */
  private static double linspace(int i, int n) {
    return n == 1 ? -1 : -1 + 2.0 * i / (n - 1);
  }

  /**
   * The inverse warper ({@code AffineGridWarper.inverse()} in Sonnet): a layer that takes the same
   * parameters and gives the grid of the inverse transform, from this warper's output shape back to
   * its source shape, so a glimpse can be pasted back into the image.
   */
  public Layer inverse() {
    AffineGridWarper back =
        new AffineGridWarper(outputShape, sourceShape, AffineWarpConstraints.noConstraints(2));
    return params -> {
      Tensor m = matrix(params);
      int batch = m.dim(0);
      List<Tensor> e = new ArrayList<>(6);
      for (int k = 0; k < 6; k++) {
        e.add(
            m.reshape(batch, 6)
                .slice(new int[] {0, k}, new int[] {batch, k + 1}, new int[] {1, 1}));
      }
      Tensor a = e.get(0);
      Tensor b = e.get(1);
      Tensor tx = e.get(2);
      Tensor c = e.get(3);
      Tensor d = e.get(4);
      Tensor ty = e.get(5);
      Tensor det = a.mul(d).sub(b.mul(c));
      Tensor aInv = d.div(det);
      Tensor bInv = b.neg().div(det);
      Tensor cInv = c.neg().div(det);
      Tensor dInv = a.div(det);
      Tensor txInv = aInv.mul(tx).add(bInv.mul(ty));
      Tensor tyInv = cInv.mul(tx).add(dInv.mul(ty));
      Tensor inverse =
          ShapeOps.concat(1, List.of(aInv, bInv, txInv.neg(), cInv, dInv, tyInv.neg()));
      return back.call(inverse);
    };
  }

  @Override
  public String toString() {
    return "AffineGridWarper(source="
        + Arrays.toString(sourceShape)
        + ", output="
        + Arrays.toString(outputShape)
        + ", "
        + constraints
        + ")";
  }
}
