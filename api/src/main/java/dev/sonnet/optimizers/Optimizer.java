package dev.sonnet.optimizers;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * The base of the optimizers: applies updates (usually gradients) to parameters, as Sonnet 2's
 * {@code snt.Optimizer}:
 *
 * <pre>{@code
 * var optimizer = new SGD(0.1);
 * try (GradientTape tape = GradientTape.open()) {
 *   Tensor loss = Losses.softmaxCrossEntropy(model.call(x), labels);
 *   List<Tensor> grads = tape.gradient(loss, model.trainableVariables());
 * }
 * optimizer.apply(grads, model.trainableVariables());
 * }</pre>
 *
 * <p>An optimizer is a {@link Module}: its state lives in non-trainable variables, so it is saved
 * and restored with the model. They are created on the first {@link #apply}: a scalar int64 {@code
 * step} counting the updates applied (Sonnet has it for Adam only; here every optimizer has one, so
 * that every {@link LearningRate} schedule works), and per-parameter slots such as Adam's {@code
 * m_0, v_0, m_1, ...}, zero-initialised, slot {@code i} belonging to parameter {@code i}.
 *
 * <p>Pairing is by position, as in Sonnet, so every call must pass the same parameters in the same
 * order; unlike Sonnet, which then silently pairs the wrong slots, this is checked. A null update
 * leaves its parameter (and its slots) untouched. The updates themselves are not recorded by
 * gradient tapes.
 */
public abstract class Optimizer extends Module {
  /** The number of updates applied so far (int64 scalar), created by the first {@link #apply}. */
  @Param(trainable = false)
  Variable step;

  private final LearningRate learningRate;
  private List<Variable> parameters;

  /**
   * An optimizer with a learning rate, named {@code name} or after its class. It has no trainable
   * variables, and none at all before the first {@link #apply}, so {@link #variables()} may be
   * empty.
   */
  @SuppressWarnings("this-escape")
  protected Optimizer(LearningRate learningRate, String name) {
    super(name);
    allowEmptyVariables();
    if (learningRate == null) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " needs a learning rate,"
              + " e.g. LearningRate.constant(0.1)");
    }
    this.learningRate = learningRate;
  }

  /** Its step and slots are created by the first {@link #apply}, not by a call. */
  @Override
  public final String buildTrigger() {
    return "its first apply(updates, parameters)";
  }

  /** The learning rate, as given to the constructor. */
  public final LearningRate learningRate() {
    return learningRate;
  }

  /** The number of updates applied so far: 0 before the first {@link #apply}. */
  public final long step() {
    return step == null ? 0 : step.peek().toLongArray()[0];
  }

  /**
   * Applies {@code updates[i]} to {@code parameters[i]} for every i, then adds one to {@link
   * #step()}.
   *
   * @throws IllegalArgumentException if the lists' lengths differ, are empty or all updates are
   *     null, if an update's shape or dtype differs from its parameter's, or if the parameters are
   *     not the ones (in the same order) of the first call
   */
  public final void apply(List<? extends Tensor> updates, List<Variable> parameters) {
    check(updates, parameters);
    build(parameters);
    checkSameParameters(parameters);
    try (var pause = Dispatch.pause()) {
      long t = step();
      double rate = learningRate.at(t);
      for (int i = 0; i < parameters.size(); i++) {
        Tensor u = updates.get(i);
        if (u != null) {
          update(i, parameters.get(i), u, rate, t + 1);
        }
      }
      step.assignAdd(Tensor.scalar(1L));
    }
  }

  @Build
  void initialize(List<Variable> parameters) {
    step = variable("step", Initializers.zeros(), DType.INT64, Shape.SCALAR, false);
    this.parameters = List.copyOf(parameters);
    createSlots(this.parameters);
  }

  /** Creates the slot variables of {@code parameters} with {@link #slot}; called once. */
  protected abstract void createSlots(List<Variable> parameters);

  /**
   * Updates one parameter.
   *
   * @param index the parameter's position, which names its slots
   * @param rate the learning rate for this step
   * @param t the number of this update, starting at 1 (Adam's {@code t})
   */
  protected abstract void update(int index, Variable parameter, Tensor update, double rate, long t);

  /**
   * A zero-initialised, non-trainable variable like {@code parameter}, named {@code
   * <optimizer>/<name>_<index>}.
   */
  protected final Variable slot(String name, int index, Variable parameter) {
    return variable(
        name + "_" + index, Initializers.zeros(), parameter.dtype(), parameter.shape(), false);
  }

  private void check(List<? extends Tensor> updates, List<Variable> parameters) {
    String cls = getClass().getSimpleName();
    if (updates.size() != parameters.size()) {
      throw new IllegalArgumentException(
          cls
              + ".apply: "
              + updates.size()
              + " updates for "
              + parameters.size()
              + " parameters; pass tape.gradient(loss, params) with the same"
              + " params list");
    }
    if (parameters.isEmpty()) {
      throw new IllegalArgumentException(
          cls
              + ".apply: no parameters; the usual cause is a"
              + " model that has not been called yet, so it has no variables");
    }
    boolean any = false;
    for (int i = 0; i < updates.size(); i++) {
      Tensor u = updates.get(i);
      Variable p = parameters.get(i);
      if (u == null) {
        continue;
      }
      any = true;
      if (u.dtype() != p.dtype() || !u.shape().equals(p.shape())) {
        throw new IllegalArgumentException(
            cls
                + ".apply: update "
                + i
                + " is "
                + u.dtype()
                + u.shape()
                + " but its parameter "
                + p.name()
                + " is "
                + p.dtype()
                + p.shape()
                + "; updates and parameters must be in the same order");
      }
    }
    if (!any) {
      throw new IllegalArgumentException(
          cls
              + ".apply: every update is null; the loss does not"
              + " depend on any of the "
              + parameters.size()
              + " parameters");
    }
  }

  private void checkSameParameters(List<Variable> given) {
    List<Variable> first = parameters;
    boolean same = first.size() == given.size();
    for (int i = 0; same && i < first.size(); i++) {
      same = first.get(i) == given.get(i);
    }
    if (!same) {
      List<String> was = new ArrayList<>();
      for (Variable v : first) {
        was.add(v.name());
      }
      List<String> now = new ArrayList<>();
      for (Variable v : given) {
        now.add(v.name());
      }
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " '"
              + name()
              + "' keeps its state per parameter, by position, and was first applied to "
              + was
              + ", now to "
              + now
              + ". Pass the same list every step (model.trainableVariables()),"
              + " or use one optimizer per parameter list.");
    }
  }

  static double checkRange(
      String what, String param, double value, double min, double max, boolean maxIncluded) {
    if (!(value >= min) || !(maxIncluded ? value <= max : value < max)) {
      throw new IllegalArgumentException(
          what
              + " needs "
              + min
              + " <= "
              + param
              + (maxIncluded ? " <= " : " < ")
              + max
              + ", got "
              + value);
    }
    return value;
  }
}
