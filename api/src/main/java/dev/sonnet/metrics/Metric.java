package dev.sonnet.metrics;

import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;

/**
 * A running statistic of the values it is given, kept in non-trainable variables (so it is saved
 * with the model), as Sonnet's {@code snt.Metric}: {@link #update} folds in a value, {@link #value}
 * reads the statistic, {@link #reset} starts again, {@link #call} updates then reads. Variables
 * take the shape and dtype of the first value; later values must match.
 *
 * <pre>{@code
 * var meanLoss = new Mean();
 * for (...) { meanLoss.update(loss); }   // stays on the device: no read-back per step
 * System.out.println(meanLoss.value().item());
 * meanLoss.reset();
 * }</pre>
 *
 * <p>Updates are not recorded by gradient tapes.
 */
public abstract class Metric extends Module {
  /**
   * A metric named {@code name}, or after its class when null. It has no trainable variables, and
   * none at all before the first update, so {@link #variables()} may be empty.
   */
  @SuppressWarnings("this-escape")
  protected Metric(String name) {
    super(name);
    allowEmptyVariables();
  }

  /** Folds {@code value} into the statistic. */
  public abstract void update(Tensor value);

  /**
   * The current statistic.
   *
   * @throws IllegalStateException before the first {@link #update}
   */
  public abstract Tensor value();

  /** Returns the statistic to its state before any update (keeping shapes and dtypes). */
  public abstract void reset();

  /** {@link #update} then {@link #value}. */
  public final Tensor call(Tensor value) {
    update(value);
    return value();
  }

  final IllegalStateException notUpdated() {
    return new IllegalStateException(
        getClass().getSimpleName()
            + " '"
            + name()
            + "' has no value"
            + " yet: its variables take the shape of the first value, so call update(value) first");
  }

  static void checkLike(String what, dev.sonnet.tensor.Variable v, Tensor value) {
    if (!value.shape().equals(v.shape()) || value.dtype() != v.dtype()) {
      throw new IllegalArgumentException(
          what
              + " was first updated with "
              + v.dtype()
              + v.shape()
              + " values, now got "
              + value.dtype()
              + value.shape()
              + "; every value must match");
    }
  }
}
