package dev.sonnet.autodiff;

import dev.sonnet.tensor.Tensor;

/** A user-defined gradient for {@link Gradients#custom}. */
@FunctionalInterface
public interface GradientFunction {
  /**
   * Returns the gradient with respect to each input (null where none flows), given the inputs, the
   * forward output and the gradient with respect to that output.
   */
  Tensor[] apply(Tensor[] inputs, Tensor output, Tensor upstream);
}
