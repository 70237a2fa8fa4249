package dev.sonnet.autodiff;

import dev.sonnet.SonnetException;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.Op;
import dev.sonnet.ops.OpRecorder;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records operations on watched tensors and variables so that gradients can be computed by
 * reverse-mode differentiation, as TensorFlow 2's {@code tf.GradientTape}.
 *
 * <pre>{@code
 * try (GradientTape tape = GradientTape.open()) {
 *   Tensor loss = model.call(x).sub(y).square().mean();
 *   List<Tensor> grads = tape.gradient(loss, model.trainableVariables());
 * }
 * }</pre>
 *
 * <p>A tape records from {@link #open} until {@link #close}, on the opening thread only. It watches
 * every trainable variable that is read (unless opened with {@code watchAccessedVariables = false})
 * and every tensor or variable passed to {@link #watch}; an operation is recorded when one of its
 * inputs is watched or was produced by a recorded operation.
 *
 * <p>The target of {@link #gradient} must have been computed while this tape was open, on its
 * thread; any other target (computed before the tape opened, after it closed, or on another thread)
 * is an error, since every gradient of it would be zero for no visible reason. Sources the target
 * does not depend on get zeros (or null, with {@link UnconnectedGradients#NONE}).
 *
 * <p>A non-persistent tape (the default) answers one {@code gradient} call and then frees what it
 * holds; a persistent one answers any number. While a tape computes gradients it does not record
 * them, but outer tapes do, which gives higher-order derivatives.
 */
public final class GradientTape implements AutoCloseable, OpRecorder {
  private final boolean persistent;
  private final boolean watchAccessedVariables;

  private final List<Node> nodes = new ArrayList<>();
  private final Set<Tensor> tracked = Collections.newSetFromMap(new IdentityHashMap<>());

  /**
   * Outputs of operations this tape saw run but did not record (none of their inputs watched): a
   * target among them is legitimately unconnected (zero gradients), not a mistake.
   */
  private final Set<Tensor> seenUnwatched = Collections.newSetFromMap(new IdentityHashMap<>());

  private final Set<Variable> watchedVariables = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<Variable, List<Tensor>> variableReads = new IdentityHashMap<>();
  private boolean recording;
  private boolean used;

  private GradientTape(boolean persistent, boolean watchAccessedVariables) {
    this.persistent = persistent;
    this.watchAccessedVariables = watchAccessedVariables;
  }

  /** Opens a non-persistent tape that watches accessed trainable variables. */
  public static GradientTape open() {
    return open(false, true);
  }

  /** Opens a tape that may be asked for gradients more than once. */
  public static GradientTape openPersistent() {
    return open(true, true);
  }

  /**
   * Opens a tape and starts recording on this thread.
   *
   * @param persistent whether {@link #gradient} may be called more than once
   * @param watchAccessedVariables whether trainable variables are watched when read (TF's default)
   */
  public static GradientTape open(boolean persistent, boolean watchAccessedVariables) {
    GradientTape tape = new GradientTape(persistent, watchAccessedVariables);
    tape.recording = true;
    Dispatch.push(tape);
    return tape;
  }

  /** Watches tensors and variables so that operations on them are recorded. */
  public void watch(Operand... operands) {
    for (Operand o : operands) {
      if (o instanceof Variable v) {
        watchedVariables.add(v);
      } else {
        tracked.add(o.asTensor());
      }
    }
  }

  /** Whether this tape watches {@code variable} (explicitly, or as an accessed trainable one). */
  private boolean watches(Variable variable) {
    return watchedVariables.contains(variable) || (watchAccessedVariables && variable.trainable());
  }

  @Override
  public void record(Op op, Tensor[] inputs, Tensor[] outputs) {
    for (Tensor in : inputs) {
      if (tracked.contains(in)) {
        nodes.add(new Node(op, inputs, outputs));
        for (Tensor out : outputs) {
          tracked.add(out);
        }
        return;
      }
    }
    for (Tensor out : outputs) {
      seenUnwatched.add(out);
    }
  }

  @Override
  public void recordRead(Variable variable, Tensor value) {
    if (!watches(variable)) {
      seenUnwatched.add(value);
      return;
    }
    List<Tensor> reads = variableReads.computeIfAbsent(variable, v -> new ArrayList<>(1));
    if (!reads.contains(value)) {
      reads.add(value);
    }
    tracked.add(value);
  }

  /** The variables this tape has seen read while watching them, in first-read order. */
  public List<Variable> watchedVariables() {
    return List.copyOf(variableReads.keySet());
  }

  /** The gradient of {@code target} with respect to one source (zeros if unconnected). */
  public Tensor gradient(Tensor target, Operand source) {
    return gradient(target, List.of(source)).get(0);
  }

  /** Gradients of {@code target} with respect to each source (zeros where unconnected). */
  public List<Tensor> gradient(Tensor target, List<? extends Operand> sources) {
    return gradient(target, sources, null, UnconnectedGradients.ZERO);
  }

  /**
   * Gradients of {@code target} with respect to each source.
   *
   * @param outputGradient the gradient flowing into {@code target}; null means ones (so a
   *     non-scalar target is differentiated as the sum of its elements)
   * @param unconnected what to return for sources the target does not depend on
   */
  public List<Tensor> gradient(
      Tensor target,
      List<? extends Operand> sources,
      Tensor outputGradient,
      UnconnectedGradients unconnected) {
    if (used && !persistent) {
      throw new SonnetException(
          "A non-persistent GradientTape can compute gradients only once. "
              + "Open it with GradientTape.openPersistent() to call gradient() several times.");
    }
    requireRecorded(target);
    used = true;
    boolean wasRecording = recording;
    if (wasRecording) {
      Dispatch.pop(this);
    }
    try {
      Map<Tensor, Tensor> grads = backpropagate(target, outputGradient);
      List<Tensor> result = new ArrayList<>(sources.size());
      for (Operand source : sources) {
        Tensor g = gradientOf(source, grads);
        if (g == null && unconnected == UnconnectedGradients.ZERO) {
          g = Tensor.full(target.backend(), source.dtype(), source.shape(), 0);
        }
        result.add(g);
      }
      return Collections.unmodifiableList(result);
    } finally {
      if (wasRecording) {
        Dispatch.push(this);
      }
      if (!persistent) {
        clear();
      }
    }
  }

  /**
   * A target this tape never saw gives zero gradients for every source, which looks like a model
   * that learns nothing rather than a mistake; so it is an error. "Zeros where unconnected" stays
   * right for a recorded target that does not depend on some source.
   */
  private void requireRecorded(Tensor target) {
    if (tracked.contains(target) || seenUnwatched.contains(target)) {
      return;
    }
    throw new SonnetException(
        "gradient: the target "
            + target.dtype()
            + target.shape()
            + " was not recorded by this tape, so no gradient can reach any source. The usual causes:"
            + " it was computed before the tape was opened or after it was closed, or on another"
            + " thread (a tape records only the thread that opened it)."
            + (nodes.isEmpty() && variableReads.isEmpty() && seenUnwatched.isEmpty()
                ? " This tape has seen no operation at all."
                : "")
            + " Compute the loss inside the tape's try-with-resources block, on the same thread:"
            + " try (GradientTape tape = GradientTape.open()) { Tensor loss = ...;"
            + " tape.gradient(loss, params); }");
  }

  private Map<Tensor, Tensor> backpropagate(Tensor target, Tensor outputGradient) {
    Map<Tensor, Tensor> grads = new IdentityHashMap<>();
    if (!target.dtype().isFloating()) {
      return grads;
    }
    Tensor seed = outputGradient != null ? outputGradient : target.onesLike();
    if (!seed.shape().equals(target.shape())) {
      throw new SonnetException(
          "gradient: outputGradient has shape "
              + seed.shape()
              + " but the target has shape "
              + target.shape());
    }
    grads.put(target, seed);
    for (int n = nodes.size() - 1; n >= 0; n--) {
      Node node = nodes.get(n);
      Tensor[] upstream = new Tensor[node.outputs.length];
      boolean any = false;
      for (int i = 0; i < upstream.length; i++) {
        upstream[i] = grads.get(node.outputs[i]);
        any |= upstream[i] != null;
      }
      if (!any) {
        continue;
      }
      for (int i = 0; i < upstream.length; i++) {
        if (upstream[i] == null) {
          upstream[i] = node.outputs[i].zerosLike();
        }
      }
      boolean[] wanted = new boolean[node.inputs.length];
      for (int i = 0; i < wanted.length; i++) {
        wanted[i] = node.inputs[i].dtype().isFloating() && tracked.contains(node.inputs[i]);
      }
      Tensor[] inputGrads = node.op.backward(node.inputs, node.outputs, upstream, wanted);
      for (int i = 0; i < node.inputs.length; i++) {
        Tensor in = node.inputs[i];
        Tensor g = inputGrads[i];
        if (g == null || !wanted[i]) {
          continue;
        }
        if (!g.shape().equals(in.shape()) || g.dtype() != in.dtype()) {
          throw new SonnetException(
              "Gradient of op '"
                  + node.op.name()
                  + "' for input "
                  + i
                  + " is "
                  + g.dtype()
                  + g.shape()
                  + " but the input is "
                  + in.dtype()
                  + in.shape()
                  + " (a bug in the op's backward)");
        }
        grads.merge(in, g, Tensor::add);
      }
    }
    return grads;
  }

  private Tensor gradientOf(Operand source, Map<Tensor, Tensor> grads) {
    if (source instanceof Variable v) {
      Tensor sum = null;
      for (Tensor read : variableReads.getOrDefault(v, List.of())) {
        Tensor g = grads.get(read);
        if (g != null) {
          sum = sum == null ? g : sum.add(g);
        }
      }
      return sum;
    }
    return grads.get(source.asTensor());
  }

  private void clear() {
    nodes.clear();
    tracked.clear();
    seenUnwatched.clear();
    variableReads.clear();
  }

  /** Stops recording. Gradients may still be asked for afterwards. */
  @Override
  public void close() {
    if (recording) {
      recording = false;
      Dispatch.pop(this);
    }
  }

  private record Node(Op op, Tensor[] inputs, Tensor[] outputs) {}
}
