package dev.sonnet.optimizers;

import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Rescales gradients that are too large before they reach an optimizer, the usual guard against
 * exploding gradients in recurrent nets (Pascanu et al., 2013; Sonnet 1's Shakespeare example clips
 * at 5):
 *
 * <pre>{@code
 * var clipped = GradientClipping.clipByGlobalNorm(grads, 5.0);
 * optimizer.apply(clipped.gradients(), params);
 * }</pre>
 */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * Gradients after clipping, and the global norm they had before.
   *
   * @param gradients the rescaled gradients, null where the input was null
   * @param globalNorm {@code sqrt(sum of squares of every element of every gradient)}, a scalar
   */
  public record Clipped(List<Tensor> gradients, Tensor globalNorm) {}

  /** {@code sqrt(sum_i ||g_i||^2)} over the non-null gradients, as a scalar of their dtype. */
  public static Tensor globalNorm(List<? extends Tensor> gradients) {
    Tensor total = null;
    for (Tensor g : gradients) {
      if (g != null) {
        Tensor s = g.square().sum();
        total = total == null ? s : total.add(s);
      }
    }
    if (total == null) {
      throw new IllegalArgumentException("globalNorm: every gradient is null");
    }
    return total.sqrt();
  }

  /**
   * Multiplies every gradient by {@code clipNorm / max(globalNorm, clipNorm)}: unchanged when their
   * global norm is at most {@code clipNorm}, else scaled together so that it is exactly {@code
   * clipNorm}, which keeps the update's direction (clipping each gradient on its own would not).
   * Stays on the device: no value is read back.
   *
   * @param clipNorm the largest global norm let through, {@code > 0}
   */
  public static Clipped clipByGlobalNorm(List<? extends Tensor> gradients, double clipNorm) {
    if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
      throw new IllegalArgumentException(
          "clipByGlobalNorm needs a finite clipNorm > 0, got " + clipNorm);
    }
    Tensor norm = globalNorm(gradients);
    Tensor scale = norm.maximum(clipNorm).reciprocal().mul(clipNorm);
    List<Tensor> out = new ArrayList<>(gradients.size());
    for (Tensor g : gradients) {
      out.add(g == null ? null : g.mul(scale));
    }
    return new Clipped(Collections.unmodifiableList(out), norm);
  }
}
