package dev.sonnet.losses;

import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * The value checks every loss and metric that takes labels runs before computing: a label outside
 * its range gives a number (a class label of 10 with 10 classes matches no one-hot column, so its
 * loss is 0 and it counts as wrong), never an error, unless it is checked here. PyTorch and
 * TensorFlow raise in the same places.
 *
 * <p>Each check reduces the labels to two numbers on the device and reads those, so it costs one
 * small read-back per call (a few microseconds on the CPU); only when a label is bad are the labels
 * read whole, to name the first bad one and where it is.
 */
final class LabelChecks {
  private LabelChecks() {}

  /**
   * Requires every integer label to be a class index in {@code [0, classes)}.
   *
   * @param op the loss or metric, for the message
   * @param logits the predictions, whose last axis has the {@code classes}
   */
  static void requireClassIndices(String op, Tensor labels, Tensor logits) {
    if (labels.size() == 0) {
      return;
    }
    int classes = logits.dim(-1);
    long[] range = ShapeOps.stack(0, labels.min(), labels.max()).toLongArray();
    if (range[0] >= 0 && range[1] < classes) {
      return;
    }
    long[] values = labels.toLongArray();
    for (int i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= classes) {
        throw new IllegalArgumentException(
            op
                + ": label "
                + values[i]
                + " of example "
                + Arrays.toString(labels.shape().coordinates(i))
                + " is outside the class range [0, "
                + classes
                + "): the logits "
                + logits.dtype()
                + logits.shape()
                + " have "
                + classes
                + " classes along their last axis, so labels must be in [0, "
                + (classes - 1)
                + "]"
                + (range[0] < 0 && range[1] >= classes
                    ? " (labels range from " + range[0] + " to " + range[1] + ")"
                    : ""));
      }
    }
  }

  /**
   * Requires every label of a binary cross-entropy to be a probability: in {@code [0, 1]}, and not
   * NaN.
   */
  static void requireProbabilities(String op, Tensor labels) {
    if (labels.size() == 0) {
      return;
    }
    // |z - 0.5| <= 0.5 holds exactly for z in [0, 1]; NaN compares false, so it counts as outside.
    Tensor inside =
        labels.sub(0.5).abs().lessEqual(Tensor.scalar(labels.backend(), labels.dtype(), 0.5));
    long outside = labels.size() - inside.cast(DType.INT64).sum().toLongArray()[0];
    if (outside == 0) {
      return;
    }
    double[] values = labels.toDoubleArray();
    for (int i = 0; i < values.length; i++) {
      if (!(values[i] >= 0 && values[i] <= 1)) {
        throw new IllegalArgumentException(
            op
                + ": label "
                + values[i]
                + " at "
                + Arrays.toString(labels.shape().coordinates(i))
                + " of labels "
                + labels.dtype()
                + labels.shape()
                + " is not a probability in [0, 1] ("
                + outside
                + " label"
                + (outside == 1 ? " is" : "s are")
                + " outside)");
      }
    }
  }

  /**
   * Requires at least one example where the loss is reduced to one number: the mean over no
   * examples is 0/0, a NaN that would spread into every weight, and a sum over none hides the same
   * mistake (an empty batch from a data pipeline).
   */
  static void requireExamples(String op, Shape perExample, Reduction reduction) {
    if (perExample.size() == 0 && reduction != Reduction.NONE) {
      throw new IllegalArgumentException(
          op
              + ": the batch is empty (per-example losses "
              + perExample
              + "), so the "
              + reduction.name().toLowerCase(java.util.Locale.ROOT)
              + " over examples is undefined; skip empty batches, or use Reduction.NONE for "
              + "per-example losses");
    }
  }
}
