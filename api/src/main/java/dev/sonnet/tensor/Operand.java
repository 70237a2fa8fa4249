package dev.sonnet.tensor;

/**
 * Anything an operation accepts as an input: a {@link Tensor}, or a {@link Variable}, whose current
 * value is read (and recorded by active gradient tapes) when the operation runs.
 */
public interface Operand {
  /** The value as a tensor. For a variable this is a recorded read of its current value. */
  Tensor asTensor();

  /** The shape, without reading a variable's value. */
  Shape shape();

  /** The dtype, without reading a variable's value. */
  DType dtype();
}
