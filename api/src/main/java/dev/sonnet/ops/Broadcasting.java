package dev.sonnet.ops;

import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;

/** Gradient helpers for broadcasting operations. */
public final class Broadcasting {
  private Broadcasting() {}

  /**
   * Sums a gradient of a broadcast result back to the shape of an input that was broadcast to it:
   * over the leading axes the input lacked and over the axes where the input had size 1. Returns
   * {@code grad} itself when the shapes already agree.
   *
   * @throws ShapeException if {@code shape} does not broadcast to {@code grad}'s shape
   */
  public static Tensor reduceTo(Tensor grad, Shape shape) {
    Shape g = grad.shape();
    if (g.equals(shape)) {
      return grad;
    }
    int lead = g.rank() - shape.rank();
    if (lead < 0) {
      throw new ShapeException(
          "reduceTo: gradient of shape "
              + g
              + " cannot be reduced to the "
              + "larger rank of shape "
              + shape);
    }
    int[] axes = new int[g.rank()];
    int count = 0;
    for (int i = 0; i < g.rank(); i++) {
      if (i < lead) {
        axes[count++] = i;
      } else {
        int want = shape.dim(i - lead);
        int have = g.dim(i);
        if (want == 1 && have != 1) {
          axes[count++] = i;
        } else if (want != have) {
          throw new ShapeException(
              "reduceTo: gradient of shape "
                  + g
                  + " cannot be reduced to "
                  + "shape "
                  + shape
                  + " (dimension "
                  + i
                  + ": "
                  + have
                  + " vs "
                  + want
                  + ")");
        }
      }
    }
    Tensor summed = grad;
    if (count > 0) {
      int[] reduced = new int[count];
      System.arraycopy(axes, 0, reduced, 0, count);
      summed = Reductions.reduceSorted(ReduceKind.SUM, grad, true, reduced);
    }
    return ShapeOps.reshapeTo(summed, shape);
  }
}
