package dev.sonnet.losses;

import dev.sonnet.ops.CrossEntropy;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * Loss functions and accuracy for classification and regression. Every loss is written with
 * differentiable ops, so its gradient comes from the tape; the cross-entropies are numerically
 * stable for any logits (no {@code exp} of a large number, no {@code log} of 0).
 *
 * <pre>{@code
 * Tensor logits = model.call(images);                       // [batch, classes]
 * Tensor loss = Losses.softmaxCrossEntropy(logits, labels); // labels: int32 [batch]
 * double acc = Losses.accuracy(logits, labels);
 * }</pre>
 *
 * <p>Each loss has an overload with a {@link Reduction}; without one it is the mean over examples.
 *
 * <p>Bad labels are errors, never numbers: a class label outside {@code [0, classes)}, a binary
 * label outside {@code [0, 1]}, and a mean or sum over an empty batch each throw {@link
 * IllegalArgumentException} naming the loss, the label and where it is, before anything is
 * computed.
 */
public final class Losses {
  private Losses() {}

  /** {@link #softmaxCrossEntropy(Operand, Operand, Reduction)} averaged over examples. */
  public static Tensor softmaxCrossEntropy(Operand logits, Operand labels) {
    return softmaxCrossEntropy(logits, labels, Reduction.MEAN);
  }

  /**
   * Cross-entropy between {@code softmax(logits)} and integer class labels: {@code
   * -log_softmax(logits)[label]} per example, computed through {@code logSoftmax}, which is stable
   * for any logits.
   *
   * @param logits {@code [batch..., classes]}, float
   * @param labels {@code [batch...]}, int32 or int64, each in {@code [0, classes)}
   * @throws IllegalArgumentException if a label is outside {@code [0, classes)}, or the batch is
   *     empty and {@code reduction} is not {@link Reduction#NONE}
   */
  public static Tensor softmaxCrossEntropy(Operand logits, Operand labels, Reduction reduction) {
    Tensor z = logits.asTensor();
    Tensor y = labels.asTensor();
    checkLogits("softmaxCrossEntropy", z);
    if (!y.dtype().isInteger()) {
      throw new IllegalArgumentException(
          "softmaxCrossEntropy takes integer class labels, got "
              + y.dtype()
              + y.shape()
              + (y.shape().equals(z.shape())
                  ? "; for one-hot or probability targets use softmaxCrossEntropyOneHot(logits, "
                      + "targets)"
                  : ""));
    }
    if (y.rank() != z.rank() - 1 || !prefixMatches(z, y)) {
      throw new IllegalArgumentException(
          "softmaxCrossEntropy: labels "
              + y.shape()
              + " must be the logits' shape "
              + z.shape()
              + " without its last (class) axis");
    }
    LabelChecks.requireClassIndices("softmaxCrossEntropy", y, z);
    LabelChecks.requireExamples("softmaxCrossEntropy", y.shape(), reduction);
    if (z.rank() == 2) {
      // One pass forward and one backward where the backend can (CrossEntropy).
      return reduction.reduce(CrossEntropy.sparseSoftmaxCrossEntropy(z, y));
    }
    Tensor oneHot = ShapeOps.oneHot(y, z.dim(-1), z.dtype());
    return reduction.reduce(z.logSoftmax(-1).mul(oneHot).sum(-1).neg());
  }

  /** {@link #softmaxCrossEntropyOneHot(Operand, Operand, Reduction)} averaged over examples. */
  public static Tensor softmaxCrossEntropyOneHot(Operand logits, Operand targets) {
    return softmaxCrossEntropyOneHot(logits, targets, Reduction.MEAN);
  }

  /**
   * Cross-entropy between {@code softmax(logits)} and target distributions (one-hot rows, or
   * smoothed labels): {@code -sum(targets * log_softmax(logits))} over the last axis. As in
   * TensorFlow 2, the gradient flows into the targets too (for distillation, say); wrap them in
   * {@code stopGradient()} if they come from a model that should not learn from this loss.
   *
   * @param logits {@code [batch..., classes]}, float
   * @param targets the same shape and dtype, each row summing to 1
   */
  public static Tensor softmaxCrossEntropyOneHot(
      Operand logits, Operand targets, Reduction reduction) {
    Tensor z = logits.asTensor();
    Tensor t = targets.asTensor();
    checkLogits("softmaxCrossEntropyOneHot", z);
    if (!t.shape().equals(z.shape()) || t.dtype() != z.dtype()) {
      throw new IllegalArgumentException(
          "softmaxCrossEntropyOneHot: targets "
              + t.dtype()
              + t.shape()
              + " must have the logits' shape and dtype "
              + z.dtype()
              + z.shape()
              + (t.dtype().isInteger() && t.rank() == z.rank() - 1
                  ? "; for integer class labels use softmaxCrossEntropy(logits, labels)"
                  : ""));
    }
    LabelChecks.requireExamples("softmaxCrossEntropyOneHot", withoutLastAxis(z.shape()), reduction);
    return reduction.reduce(z.logSoftmax(-1).mul(t).sum(-1).neg());
  }

  /** {@link #sigmoidCrossEntropy(Operand, Operand, Reduction)} averaged over all elements. */
  public static Tensor sigmoidCrossEntropy(Operand logits, Operand labels) {
    return sigmoidCrossEntropy(logits, labels, Reduction.MEAN);
  }

  /**
   * Binary cross-entropy of independent labels {@code z} in {@code [0, 1]} against {@code
   * sigmoid(x)}, element-wise: {@code -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x))}, computed
   * as {@code softplus(x) - x z}, which never overflows and whose gradient is exactly {@code
   * sigmoid(x) - z}. The reduction runs over every element; the labels get a gradient too ({@code
   * -x}), as in TensorFlow.
   *
   * @param logits any shape, float
   * @param labels the same shape and dtype
   */
  public static Tensor sigmoidCrossEntropy(Operand logits, Operand labels, Reduction reduction) {
    Tensor x = logits.asTensor();
    Tensor z = labels.asTensor();
    checkSame("sigmoidCrossEntropy", "labels", x, z);
    LabelChecks.requireProbabilities("sigmoidCrossEntropy", z);
    LabelChecks.requireExamples("sigmoidCrossEntropy", z.shape(), reduction);
    return reduction.reduce(x.softplus().sub(x.mul(z)));
  }

  /** {@link #meanSquaredError(Operand, Operand, Reduction)} averaged over all elements. */
  public static Tensor meanSquaredError(Operand predictions, Operand targets) {
    return meanSquaredError(predictions, targets, Reduction.MEAN);
  }

  /**
   * {@code (predictions - targets)^2} element-wise, reduced over every element.
   *
   * @param predictions any shape, float
   * @param targets the same shape and dtype
   */
  public static Tensor meanSquaredError(Operand predictions, Operand targets, Reduction reduction) {
    Tensor p = predictions.asTensor();
    Tensor t = targets.asTensor();
    checkSame("meanSquaredError", "targets", p, t);
    LabelChecks.requireExamples("meanSquaredError", t.shape(), reduction);
    return reduction.reduce(p.sub(t).square());
  }

  /**
   * The number of examples whose largest logit is at their label (ties go to the lower class).
   *
   * @param logits {@code [batch, classes]}
   * @param labels {@code [batch]}, int32 or int64
   */
  public static long correctCount(Operand logits, Operand labels) {
    Tensor z = logits.asTensor();
    Tensor y = labels.asTensor();
    if (!y.dtype().isInteger() || y.rank() != z.rank() - 1 || !prefixMatches(z, y)) {
      throw new IllegalArgumentException(
          "accuracy: labels "
              + y.dtype()
              + y.shape()
              + " must be integers of the logits' shape "
              + z.shape()
              + " without its last axis");
    }
    LabelChecks.requireClassIndices("accuracy", y, z);
    Tensor predicted = z.argmax(-1);
    Tensor hits = predicted.cast(y.dtype()).equal(y).cast(DType.INT64).sum();
    return hits.toLongArray()[0];
  }

  /** The fraction of examples whose largest logit is at their label; see {@link #correctCount}. */
  public static double accuracy(Operand logits, Operand labels) {
    Tensor y = labels.asTensor();
    long n = y.size();
    if (n == 0) {
      throw new IllegalArgumentException("accuracy of an empty batch is undefined");
    }
    return (double) correctCount(logits, y) / n;
  }

  private static void checkLogits(String what, Tensor z) {
    if (!z.dtype().isFloating() || z.rank() < 1) {
      throw new IllegalArgumentException(
          what
              + ": logits must be float with a class axis last,"
              + " got "
              + z.dtype()
              + z.shape());
    }
  }

  private static void checkSame(String what, String name, Tensor a, Tensor b) {
    if (!a.dtype().isFloating() || a.dtype() != b.dtype() || !a.shape().equals(b.shape())) {
      throw new IllegalArgumentException(
          what
              + ": "
              + name
              + " "
              + b.dtype()
              + b.shape()
              + " must have the shape and float dtype of the first argument, "
              + a.dtype()
              + a.shape()
              + (b.dtype() != a.dtype()
                  ? "; cast them: " + name + ".cast(DType." + a.dtype().name() + ")"
                  : ""));
    }
  }

  private static Shape withoutLastAxis(Shape s) {
    int[] dims = new int[s.rank() - 1];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = s.dim(i);
    }
    return Shape.of(dims);
  }

  private static boolean prefixMatches(Tensor z, Tensor y) {
    for (int i = 0; i < y.rank(); i++) {
      if (y.dim(i) != z.dim(i)) {
        return false;
      }
    }
    return true;
  }
}
