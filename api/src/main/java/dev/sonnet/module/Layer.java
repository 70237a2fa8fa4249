package dev.sonnet.module;

import dev.sonnet.tensor.Tensor;

/**
 * Anything that maps one tensor to another: a module such as {@code Linear}, or a stateless
 * function such as {@code Tensor::relu} or a lambda. {@link Sequential} and other composites accept
 * layers, so functions and modules mix freely.
 *
 * <p>Modules with a single-tensor {@code call} implement this interface; their variables are then
 * found wherever they are held. Plain functions print as {@code <function>} in a parent's repr;
 * give them a name with {@link Layers#named(String, Layer)} (the ones in {@link Layers} have one).
 */
@FunctionalInterface
public interface Layer {
  /** Applies this layer to {@code x}. */
  Tensor call(Tensor x);
}
