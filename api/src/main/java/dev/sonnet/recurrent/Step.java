package dev.sonnet.recurrent;

/**
 * What one step of a recurrent core returns: its {@code output [batch, ...]} and the {@code state}
 * to pass to the next step.
 *
 * @param <S> the core's state type
 */
public record Step<S extends State<S>>(dev.sonnet.tensor.Tensor output, S state) {}
