package dev.sonnet.module;

import dev.sonnet.autodiff.Gradients;
import dev.sonnet.initializers.Initializer;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import dev.sonnet.tensor.VariableReadGetter;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Custom variable getters: Sonnet 2's {@code custom_variable_getter} and Sonnet 1's {@code
 * stop_gradient}, {@code non_trainable} and {@code override_args}, as scopes on the current thread.
 *
 * <p><b>Read getters</b> ({@link #customVariableGetter}, {@link #stopGradient}) change what a
 * module's code gets when it reads a variable, inside the scope: a cast for computing in another
 * dtype, {@link Gradients#stop} to freeze part of a model for one loss. The variable itself is not
 * changed, and optimizers and checkpoints ({@link Variable#peek()}) never see the getter.
 *
 * <pre>{@code
 * try (var frozen = CustomGetters.stopGradient(encoder)) {
 *   loss = decoder.call(encoder.call(x)).sub(y).square().mean();   // no gradient into encoder
 * }
 * try (var half = CustomGetters.customVariableGetter(v -> v.cast(DType.FLOAT64), model)) {
 *   y = model.call(x64);                                            // float64 copies of weights
 * }
 * }</pre>
 *
 * <p><b>Creation getters</b> ({@link #nonTrainable}, {@link #overrideArgs}) change how variables
 * are created, so they matter around a module's first call, which builds it: Sonnet 1 passed them
 * to a module's constructor and they applied to every variable the module created.
 *
 * <pre>{@code
 * try (var fixed = CustomGetters.nonTrainable(embeddings)) {
 *   embeddings.call(ids);                // its variables are created non-trainable
 * }
 * }</pre>
 *
 * <p>Which variables: those of the given modules and everything nested in them (a variable belongs
 * to a module when its path is under the module's path), or every variable when no module is given,
 * as Sonnet 2's default of all {@code snt.Module}s. Scopes are per thread and nest; close them
 * innermost first (try-with-resources does).
 */
public final class CustomGetters {
  private CustomGetters() {}

  /**
   * Sonnet 2's {@code custom_variable_getter}: inside the scope, every read of a variable of {@code
   * modules} (every variable, when none) returns {@code getter(value)}. The getter must keep the
   * shape; it may change the dtype (a cast) and must be made of ordinary ops to keep gradients.
   */
  public static VariableReadGetter customVariableGetter(
      UnaryOperator<Tensor> getter, Module... modules) {
    return VariableReadGetter.open(
        owned(modules, Variable::name), Objects.requireNonNull(getter, "getter"));
  }

  /**
   * Sonnet 1's {@code stop_gradient} getter: inside the scope, reads of the variables of {@code
   * modules} (every variable, when none) carry no gradient, so a loss computed there does not train
   * them.
   */
  public static VariableReadGetter stopGradient(Module... modules) {
    return VariableReadGetter.open(owned(modules, Variable::name), Gradients::stop);
  }

  /**
   * Sonnet 1's {@code non_trainable} getter: variables of {@code modules} (every module, when none)
   * created inside the scope are not trainable ({@link Module#trainableVariables()} leaves them
   * out, so optimizers do not update them).
   */
  public static VariableCreationGetter nonTrainable(Module... modules) {
    return overrideArgs(new Overrides(false, null), modules);
  }

  /**
   * What {@link #overrideArgs} changes in a variable's creation; a null field keeps the module's
   * own choice.
   *
   * @param trainable whether the variable is trainable
   * @param initializer its initializer
   */
  public record Overrides(Boolean trainable, Initializer initializer) {}

  /**
   * Sonnet 1's {@code override_args} getter: variables of {@code modules} (every module, when none)
   * created inside the scope take the non-null fields of {@code overrides} instead of what the
   * module asked for.
   */
  public static VariableCreationGetter overrideArgs(Overrides overrides, Module... modules) {
    Objects.requireNonNull(overrides, "overrides");
    return VariableCreationGetter.open(
        owned(modules, VariableSpec::path),
        s ->
            new VariableSpec(
                s.module(),
                s.name(),
                s.path(),
                s.shape(),
                s.dtype(),
                overrides.trainable() != null ? overrides.trainable() : s.trainable(),
                overrides.initializer() != null ? overrides.initializer() : s.initializer(),
                s.seed()));
  }

  /** Accepts what is under one of {@code modules}' paths, or everything when there are none. */
  private static <T> Predicate<T> owned(
      Module[] modules, java.util.function.Function<T, String> path) {
    if (modules == null || modules.length == 0) {
      return t -> true;
    }
    List<String> prefixes = new java.util.ArrayList<>();
    for (Module m : modules) {
      prefixes.add(Objects.requireNonNull(m, "module").path() + "/");
    }
    return t -> {
      String p = path.apply(t);
      for (String prefix : prefixes) {
        if (p.startsWith(prefix)) {
          return true;
        }
      }
      return false;
    };
  }
}
