package dev.sonnet.module;

import dev.sonnet.tensor.Tensor;

/**
 * A layer that can apply the activation following it in the same pass: {@link dev.sonnet.nn.Linear}
 * adds its bias and takes a ReLU while its product is written (see {@code
 * dev.sonnet.ops.LinearAlgebra#dense}). {@link Sequential} and {@code MLP} ask for it when such a
 * layer is followed by an activation, so user code that lists {@code Linear, Layers.relu()} gets
 * the fused operation without changing.
 */
public interface ActivationFusing extends Layer {
  /**
   * {@code activation.call(call(x))}: the same value and gradient, bit for bit, computed in one
   * operation where this layer knows the activation (else exactly those two calls).
   */
  Tensor callThenActivate(Tensor x, Layer activation);
}
