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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * that every {@link LearningRate} schedule works), and per-parameter slots such as Adam's, named
 * after the parameter they belong to: {@code adam/m/linear/w}, {@code adam/v/linear/w}, so a
 * checkpoint reads like a PyTorch user expects. Two parameters of one path (two top-level modules
 * of one name) get {@code linear/w} and {@code linear/w_1}; a parameter whose name is not a path
 * gets its position ({@code m/param_3}). Checkpoints of earlier versions, which named slots by
 * position ({@code adam/m_0}), restore with {@link #renamingPositionalSlots}.
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
  private List<String> slotKeys;

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
    this.slotKeys = slotKeys(this.parameters);
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
   * <optimizer>/<name>/<parameter's path>}: {@code adam/m/mlp/linear_0/w}.
   */
  protected final Variable slot(String name, int index, Variable parameter) {
    return variable(
        name + "/" + slotKeys.get(index),
        Initializers.zeros(),
        parameter.dtype(),
        parameter.shape(),
        false);
  }

  /**
   * What names each parameter's slots: its path, made unique with {@code _1, _2, ...} on the last
   * part when two parameters share one, or {@code param_<position>} when its name is not a path.
   */
  static List<String> slotKeys(List<Variable> parameters) {
    Set<String> taken = new HashSet<>();
    for (Variable p : parameters) {
      taken.add(p.name());
    }
    Set<String> used = new HashSet<>();
    List<String> keys = new ArrayList<>(parameters.size());
    for (int i = 0; i < parameters.size(); i++) {
      String name = parameters.get(i).name();
      String key = VALID_PATH.matcher(name).matches() ? name : "param_" + i;
      if (!used.add(key)) {
        int n = 1;
        while (taken.contains(key + "_" + n) || used.contains(key + "_" + n)) {
          n++;
        }
        key = key + "_" + n;
        used.add(key);
      }
      keys.add(key);
    }
    return keys;
  }

  private static final Pattern VALID_PATH =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*");

  /**
   * Maps the slot names of checkpoints written before slots were named by parameter ({@code
   * adam/m_0}, {@code adam/v_1}) to today's ({@code adam/m/linear/w}), and every other name to
   * itself: give it to {@link dev.sonnet.checkpoint.RestoreOptions#renaming} to restore such a
   * file. {@code parameters} are the ones this optimizer updates, in the same order.
   */
  public final Function<String, String> renamingPositionalSlots(List<Variable> parameters) {
    List<String> keys = slotKeys(List.copyOf(parameters));
    Pattern old = Pattern.compile(Pattern.quote(path()) + "/([A-Za-z_][A-Za-z0-9_]*?)_(\\d+)");
    return name -> {
      Matcher m = old.matcher(name);
      if (m.matches()) {
        int i = Integer.parseInt(m.group(2));
        if (i < keys.size()) {
          return path() + "/" + m.group(1) + "/" + keys.get(i);
        }
      }
      return name;
    };
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
