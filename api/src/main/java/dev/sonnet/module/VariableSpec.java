package dev.sonnet.module;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * A variable about to be created, as seen by a {@link VariableInterceptor}.
 *
 * @param module the module creating it
 * @param name its short name, like {@code w}
 * @param path its full path, like {@code mlp/linear_1/w} (the variable's name)
 * @param shape its shape
 * @param dtype its dtype
 * @param trainable whether optimizers should update it
 * @param initializer what gives its value when no interceptor does
 * @param seed the seed of the generator {@code initializer} draws from, chosen by {@link Seeds}
 *     when the variable was created
 */
public record VariableSpec(
    Module module,
    String name,
    String path,
    Shape shape,
    DType dtype,
    boolean trainable,
    Initializer initializer,
    long seed) {

  /**
   * The value the initializer gives this variable: the same on every call, because its random
   * numbers come from {@code new Rng(seed)}. A restore that gives up puts it back into variables it
   * had already given a saved value, so they hold what an un-restored build would have given them.
   */
  public Tensor initializerValue() {
    return initializer.apply(shape, dtype, new Rng(seed));
  }
}
