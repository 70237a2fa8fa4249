package dev.sonnet.ops;

import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * Reductions over axes.
 *
 * <p>{@code axes} may be negative (counting from the end) and must be distinct; none means every
 * axis. With {@code keepDims} the reduced axes stay as size 1 (so the result broadcasts against the
 * input), otherwise they are removed. A scalar reduces to itself.
 *
 * <p>Sum, prod, max, min, mean, variance and logsumexp keep the input's dtype (mean, variance and
 * logsumexp need f32 or f64); argmax and argmin return int64. Reducing an empty axis gives 0 for
 * sum, 1 for prod, NaN for mean, {@code -inf} for logsumexp, and is an error for max, min and the
 * args.
 */
public final class Reductions {
  private Reductions() {}

  /** Runs a reduction over normalised, sorted, distinct axes; no axes means none (identity). */
  static Tensor reduceSorted(ReduceKind kind, Tensor x, boolean keepDims, int[] axes) {
    if (axes.length == 0) {
      return x;
    }
    return Dispatch.run1(new ReduceOp(kind, axes, keepDims), x);
  }

  /** The normalised axes, all of them when none are given. */
  static int[] axesOf(String op, Shape shape, int[] axes) {
    if (axes == null || axes.length == 0) {
      int[] all = new int[shape.rank()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return all;
    }
    return OpSupport.normalizeAxes(op, shape, axes);
  }

  private static Tensor reduce(
      ReduceKind kind, String op, Operand x, boolean keepDims, int[] axes) {
    Tensor t = x.asTensor();
    return reduceSorted(kind, t, keepDims, axesOf(op, t.shape(), axes));
  }

  /** Number of elements reduced into each output element, as a scalar of {@code x}'s dtype. */
  private static Tensor count(Tensor x, int[] axes) {
    long n = 1;
    for (int a : axes) {
      n *= x.shape().dim(a);
    }
    if (Dispatch.loopRecorder() != null && n > 0 && n < (1 << 24)) {
      // Traced into a graph, the count may be an unknown dimension (a mean over the batch or over
      // time): a scalar made from Java would freeze it. The sum of a fill of n ones is the same
      // exact value, computed from a size the graph knows.
      return Reductions.sum(Tensor.full(x.backend(), x.dtype(), Shape.of((int) n), 1), false, 0);
    }
    return OpSupport.scalarLike(x, n);
  }

  /** Sum over {@code axes}; the gradient broadcasts back to every element. */
  public static Tensor sum(Operand x, boolean keepDims, int... axes) {
    return reduce(ReduceKind.SUM, "sum", x, keepDims, axes);
  }

  /**
   * Product over {@code axes}. Its gradient, {@code prod / x}, is undefined where an element is
   * zero.
   */
  public static Tensor prod(Operand x, boolean keepDims, int... axes) {
    return reduce(ReduceKind.PROD, "prod", x, keepDims, axes);
  }

  /** Arithmetic mean over {@code axes}. */
  public static Tensor mean(Operand x, boolean keepDims, int... axes) {
    Tensor t = x.asTensor();
    OpSupport.requireFloating("mean", t);
    int[] ax = axesOf("mean", t.shape(), axes);
    return reduceSorted(ReduceKind.SUM, t, keepDims, ax).div(count(t, ax));
  }

  /**
   * Largest element over {@code axes}. Where several elements tie for the maximum, they share the
   * gradient equally (as TensorFlow's {@code reduce_max}).
   */
  public static Tensor max(Operand x, boolean keepDims, int... axes) {
    return reduce(ReduceKind.MAX, "max", x, keepDims, axes);
  }

  /** Smallest element over {@code axes}; ties share the gradient equally. */
  public static Tensor min(Operand x, boolean keepDims, int... axes) {
    return reduce(ReduceKind.MIN, "min", x, keepDims, axes);
  }

  /**
   * Population variance {@code mean((x - mean(x))^2)} over {@code axes} (divides by n, like NumPy's
   * default and TensorFlow's {@code reduce_variance}).
   */
  public static Tensor variance(Operand x, boolean keepDims, int... axes) {
    Tensor t = x.asTensor();
    OpSupport.requireFloating("variance", t);
    int[] ax = axesOf("variance", t.shape(), axes);
    Tensor centered = t.sub(mean(t, true, ax));
    return mean(centered.square(), keepDims, ax);
  }

  /**
   * {@code log(sum(exp(x)))} over {@code axes}, computed as {@code m + log(sum(exp(x - m)))} with
   * {@code m} the (gradient-stopped) maximum, so large inputs do not overflow. Where the maximum is
   * infinite, {@code m} is taken as 0, so a slice of all {@code -inf} gives {@code -inf}.
   */
  public static Tensor logsumexp(Operand x, boolean keepDims, int... axes) {
    Tensor t = x.asTensor();
    OpSupport.requireFloating("logsumexp", t);
    int[] ax = axesOf("logsumexp", t.shape(), axes);
    if (ax.length == 0) {
      return t.add(0.0);
    }
    if (t.size() == 0) {
      // log of an empty sum: -inf wherever the output has elements (as TensorFlow and SciPy).
      return Tensor.full(
          t.backend(),
          t.dtype(),
          ReduceOp.reducedShape(t.shape(), ax, keepDims),
          Double.NEGATIVE_INFINITY);
    }
    Tensor m = reduceSorted(ReduceKind.MAX, t, true, ax).stopGradient();
    Tensor finite = m.abs().less(OpSupport.scalarLike(m, Double.POSITIVE_INFINITY));
    m = Elementwise.where(finite, m, OpSupport.scalarLike(m, 0));
    Tensor lse = reduceSorted(ReduceKind.SUM, t.sub(m).exp(), true, ax).log().add(m);
    return keepDims ? lse : ShapeOps.reshapeTo(lse, ReduceOp.reducedShape(t.shape(), ax, false));
  }

  /** Index (int64) of the largest element along {@code axis}; the first on ties. No gradient. */
  public static Tensor argmax(Operand x, int axis) {
    Tensor t = x.asTensor();
    int a = OpSupport.normalizeAxis("argmax", t.shape(), axis);
    return Dispatch.run1(new ReduceOp(ReduceKind.ARGMAX, new int[] {a}, false), t);
  }

  /** Index (int64) of the smallest element along {@code axis}; the first on ties. No gradient. */
  public static Tensor argmin(Operand x, int axis) {
    Tensor t = x.asTensor();
    int a = OpSupport.normalizeAxis("argmin", t.shape(), axis);
    return Dispatch.run1(new ReduceOp(ReduceKind.ARGMIN, new int[] {a}, false), t);
  }
}
