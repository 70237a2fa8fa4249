package dev.sonnet.module;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;

/**
 * A variable about to be created, as seen by a {@link VariableInterceptor}.
 *
 * @param module the module creating it
 * @param name its short name, like {@code w}
 * @param path its full path, like {@code mlp/linear_1/w} (the variable's name)
 * @param shape its shape
 * @param dtype its dtype
 * @param trainable whether optimizers should update it
 */
public record VariableSpec(Module module, String name, String path, Shape shape, DType dtype,
    boolean trainable) {}
