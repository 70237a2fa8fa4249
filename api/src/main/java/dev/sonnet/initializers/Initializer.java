package dev.sonnet.initializers;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * Makes the initial value of a variable from its shape and dtype.
 *
 * <p>Random initializers draw from the {@link Rng} they are given. Modules pass one seeded from the
 * variable's path ({@link dev.sonnet.module.Module#variable}), so a program starts from the same
 * weights on every run; {@link #seeded(long)} fixes the seed instead. Implementations should have a
 * readable {@code toString} and value-based {@code equals}, so modules can print them and leave
 * defaults out of their repr (the ones in {@link Initializers} do).
 */
@FunctionalInterface
public interface Initializer {
  /** A new tensor of {@code shape} and {@code dtype}; random ones draw from {@code rng}. */
  Tensor apply(Shape shape, DType dtype, Rng rng);

  /** This initializer drawing from {@code new Rng(seed)} every time, whatever Rng it is given. */
  default Initializer seeded(long seed) {
    return new Initializers.Seeded(this, seed);
  }
}
