package dev.sonnet.recurrent;

import dev.sonnet.tensor.Tensor;

/**
 * What {@link Unroll} returns: every step's output stacked along the time axis ({@code [T, B, ...]}
 * time-major, {@code [B, T, ...]} batch-major, as the input), and the state after the last step
 * (for each example, after its last step within its sequence length).
 *
 * @param <S> the core's state type
 */
public record Unrolled<S extends State<S>>(Tensor outputs, S finalState) {}
