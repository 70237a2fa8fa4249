package dev.sonnet.ops;

import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;

/**
 * Softmax and log-softmax along one axis, computed stably: the (gradient-stopped) maximum along the
 * axis is subtracted first, which changes nothing mathematically but keeps {@code exp} from
 * overflowing. Both are composites, so their gradients come from the primitives.
 */
public final class Activations {
  private Activations() {}

  /** {@code exp(x) / sum(exp(x))} along {@code axis} (negative counts from the end). */
  public static Tensor softmax(Operand x, int axis) {
    Tensor t = x.asTensor();
    OpSupport.requireFloating("softmax", t);
    int[] ax = {OpSupport.normalizeAxis("softmax", t.shape(), axis)};
    if (t.size() == 0) {
      return t;
    }
    Tensor m = Reductions.reduceSorted(ReduceKind.MAX, t, true, ax).stopGradient();
    Tensor e = t.sub(m).exp();
    return e.div(Reductions.reduceSorted(ReduceKind.SUM, e, true, ax));
  }

  /** {@code x - log(sum(exp(x)))} along {@code axis}; more accurate than {@code log(softmax)}. */
  public static Tensor logSoftmax(Operand x, int axis) {
    Tensor t = x.asTensor();
    OpSupport.requireFloating("logSoftmax", t);
    int[] ax = {OpSupport.normalizeAxis("logSoftmax", t.shape(), axis)};
    if (t.size() == 0) {
      return t;
    }
    Tensor m = Reductions.reduceSorted(ReduceKind.MAX, t, true, ax).stopGradient();
    Tensor shifted = t.sub(m);
    return shifted.sub(Reductions.reduceSorted(ReduceKind.SUM, shifted.exp(), true, ax).log());
  }
}
