package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A loop over the steps of one or more sequences that carries tensors from step to step
 * (TensorFlow's {@code tf.scan}, ONNX's {@code Scan}): the one form in which a loop whose length is
 * a tensor's size can be traced into a graph.
 *
 * <p>Step {@code t} calls {@code body.step(carried, slices)}, where {@code slices[i]} is sequence
 * {@code i} at index {@code t} of {@code axis} (that axis removed) and {@code carried} is {@code
 * initial} at step 0, else what step {@code t - 1} returned first. The body returns the next
 * carried tensors (as many as {@code initial}, each of the same dtype and shape) followed by any
 * number of per-step outputs; the result holds the carried tensors after the last step and each
 * per-step output stacked along {@code axis}.
 *
 * <pre>{@code
 * // A running sum over the time axis of x [T, B, F]:
 * Scan.Result r = Scan.scan(
 *     (carried, slices) -> {
 *       Tensor sum = carried[0].add(slices[0]);
 *       return new Tensor[] {sum, sum};              // next carried, then this step's output
 *     },
 *     List.of(Tensor.zeros(DType.FLOAT32, B, F)), List.of(x), 0);
 * r.finalCarried().get(0);   // [B, F], the sum over all steps
 * r.outputs().get(0);        // [T, B, F], the running sums
 * }</pre>
 *
 * <p><b>Eager and traced.</b> Run eagerly (and under a gradient tape) the loop is a Java loop of
 * ordinary ops: the same ops, in the same order, as writing it by hand, so values and gradients are
 * those of the hand-written loop, bit for bit. Under a recorder that {@link
 * OpRecorder#recordsLoops() records loops} (the saved-model tracer), the body is recorded once, as
 * a subgraph run for every step, so the graph holds a loop whose length is whatever the sequence's
 * size is when the graph runs.
 */
public final class Scan {
  private Scan() {}

  /** One step of a scan. */
  @FunctionalInterface
  public interface Body {
    /**
     * The next carried tensors, then this step's outputs.
     *
     * @param carried the tensors carried from the previous step (the initial ones at step 0)
     * @param slices each sequence at this step, the scan axis removed
     */
    Tensor[] step(Tensor[] carried, Tensor[] slices);
  }

  /**
   * What a scan returns.
   *
   * @param finalCarried the carried tensors after the last step
   * @param outputs each per-step output, stacked along the scan axis
   */
  public record Result(List<Tensor> finalCarried, List<Tensor> outputs) {
    public Result {
      finalCarried = List.copyOf(finalCarried);
      outputs = List.copyOf(outputs);
    }
  }

  /**
   * Runs {@code body} over the steps of {@code sequences} along {@code axis}, carrying {@code
   * initial}.
   *
   * @throws ShapeException if there is no sequence, the sequences differ in length along {@code
   *     axis} or have no step, or a step returns carried tensors of another dtype or shape
   * @throws IllegalArgumentException if {@code axis} is not an axis of every sequence
   */
  public static Result scan(Body body, List<Tensor> initial, List<Tensor> sequences, int axis) {
    Objects.requireNonNull(body, "body");
    int steps = checkSequences(initial, sequences, axis);
    OpRecorder loops = Dispatch.loopRecorder();
    if (loops != null) {
      return loops.recordScan(body, initial, sequences, axis);
    }
    return eager(body, initial, sequences, axis, steps);
  }

  /**
   * True when a {@link #scan} on this thread now would be recorded as one loop (a graph tracer is
   * the only active recorder). Code with a faster eager form of its loop (one that reads values to
   * the host, say) uses that form only when this is false.
   */
  public static boolean isTracedAsLoop() {
    return Dispatch.loopRecorder() != null;
  }

  /**
   * The scan as a Java loop of ordinary ops, whatever recorders are installed; for recorders that
   * need the values of a scan they record once.
   */
  public static Result eager(Body body, List<Tensor> initial, List<Tensor> sequences, int axis) {
    return eager(body, initial, sequences, axis, checkSequences(initial, sequences, axis));
  }

  private static Result eager(
      Body body, List<Tensor> initial, List<Tensor> sequences, int axis, int steps) {
    List<List<Tensor>> slices = new ArrayList<>(sequences.size());
    for (Tensor s : sequences) {
      slices.add(ShapeOps.split(s, steps, axis));
    }
    Tensor[] carried = initial.toArray(new Tensor[0]);
    List<List<Tensor>> outputs = null;
    for (int t = 0; t < steps; t++) {
      Tensor[] x = new Tensor[sequences.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = ShapeOps.squeeze(slices.get(i).get(t), axis);
      }
      Tensor[] result = body.step(carried.clone(), x);
      checkStep(result, carried, t);
      if (outputs == null) {
        outputs = new ArrayList<>();
        for (int o = carried.length; o < result.length; o++) {
          outputs.add(new ArrayList<>(steps));
        }
      } else if (outputs.size() != result.length - carried.length) {
        throw new ShapeException(
            "Scan: step "
                + t
                + " returned "
                + (result.length - carried.length)
                + " outputs, step 0 returned "
                + outputs.size());
      }
      for (int o = carried.length; o < result.length; o++) {
        outputs.get(o - carried.length).add(result[o]);
      }
      System.arraycopy(result, 0, carried, 0, carried.length);
    }
    List<Tensor> stacked = new ArrayList<>();
    for (List<Tensor> perStep : outputs) {
      stacked.add(ShapeOps.stack(axis, perStep));
    }
    return new Result(List.of(carried), stacked);
  }

  /** The number of steps; checks the sequences share it and there is at least one. */
  static int checkSequences(List<Tensor> initial, List<Tensor> sequences, int axis) {
    Objects.requireNonNull(initial, "initial");
    if (sequences == null || sequences.isEmpty()) {
      throw new ShapeException("Scan: needs at least one sequence to scan over");
    }
    int steps = -1;
    for (int i = 0; i < sequences.size(); i++) {
      Tensor s = sequences.get(i);
      if (axis < 0 || axis >= s.rank()) {
        throw new IllegalArgumentException(
            "Scan: axis " + axis + " is not an axis of sequence " + i + " " + s.shape());
      }
      if (steps == -1) {
        steps = s.dim(axis);
      } else if (s.dim(axis) != steps) {
        throw new ShapeException(
            "Scan: sequence "
                + i
                + " "
                + s.shape()
                + " has "
                + s.dim(axis)
                + " steps along axis "
                + axis
                + ", sequence 0 has "
                + steps);
      }
    }
    if (steps == 0) {
      throw new ShapeException(
          "Scan: the sequences have no step along axis " + axis + "; a scan needs at least one");
    }
    return steps;
  }

  /**
   * Checks that a step returned at least the carried tensors, each of the dtype and shape of the
   * one it replaces; for recorders that run a step themselves.
   *
   * @throws ShapeException naming the step and the carried tensor otherwise
   */
  public static void checkStep(Tensor[] result, Tensor[] carried, int step) {
    if (result == null || result.length < carried.length) {
      throw new ShapeException(
          "Scan: step "
              + step
              + " returned "
              + (result == null ? "null" : result.length + " tensors")
              + "; a step returns the "
              + carried.length
              + " carried tensors first, then its outputs");
    }
    for (int i = 0; i < result.length; i++) {
      if (result[i] == null) {
        throw new IllegalArgumentException("Scan: step " + step + " returned null at " + i);
      }
    }
    for (int i = 0; i < carried.length; i++) {
      Shape want = carried[i].shape();
      if (result[i].dtype() != carried[i].dtype() || !result[i].shape().equals(want)) {
        throw new ShapeException(
            "Scan: step "
                + step
                + " carries "
                + result[i].dtype()
                + result[i].shape()
                + " at "
                + i
                + " where it received "
                + carried[i].dtype()
                + want
                + "; a carried tensor keeps its dtype and shape from step to step");
      }
    }
  }
}
