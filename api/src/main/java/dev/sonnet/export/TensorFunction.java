package dev.sonnet.export;

import dev.sonnet.tensor.Tensor;
import java.util.function.Function;

/**
 * A function of tensors to tensors, the thing {@link Tracing} records into a graph: a module's
 * {@code call}, or any code built from tensor operations and module calls.
 */
@FunctionalInterface
public interface TensorFunction {
  /** Computes the outputs from {@code inputs}. */
  Tensor[] call(Tensor... inputs);

  /** A function of one tensor to one tensor, such as {@code model::call}. */
  static TensorFunction of(Function<Tensor, Tensor> f) {
    return inputs -> new Tensor[] {f.apply(inputs[0])};
  }
}
