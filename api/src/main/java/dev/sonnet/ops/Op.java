package dev.sonnet.ops;

import dev.sonnet.tensor.Tensor;

/**
 * One primitive operation: its forward computation on a backend and its gradient.
 *
 * <p>Ops are small immutable values (usually records) holding their attributes (an axis, a kind),
 * so that a recorder can describe or replay them. They run only through {@link Dispatch#run(Op,
 * Tensor...)}, never by calling {@link #forward} directly, so that every execution is observed.
 *
 * <p>Composite operations (softmax, variance, ...) are not {@code Op}s: they are plain methods that
 * dispatch several primitives, and get their gradients from those.
 */
public interface Op {
  /** A short, stable name such as {@code add} or {@code matmul}. */
  String name();

  /**
   * Computes the outputs. Inputs are on one backend; the op checks their shapes and dtypes and
   * throws a {@link dev.sonnet.tensor.ShapeException} naming itself and the shapes.
   */
  Tensor[] forward(Tensor[] inputs);

  /**
   * The gradients with respect to each input, given the gradient with respect to each output
   * ({@code upstream[i]} has the shape and dtype of {@code outputs[i]}; never null). Built from
   * dispatched operations, so that gradients are themselves differentiable. An entry is null where
   * the input is not differentiable (an index, a bool mask).
   */
  Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream);

  /**
   * {@link #backward}, told which input gradients the caller will use: {@code wanted[i]} is false
   * where the gradient for input {@code i} is discarded (a gradient tape passes false for inputs it
   * does not track, such as a model's input images). An op may then return null there and skip the
   * work, as {@link ConvOp} skips its input gradient; by default every gradient is computed.
   */
  default Tensor[] backward(
      Tensor[] inputs, Tensor[] outputs, Tensor[] upstream, boolean[] wanted) {
    return backward(inputs, outputs, upstream);
  }
}
