package dev.sonnet.initializers;

import dev.sonnet.tensor.Shape;

/**
 * The number of inputs and outputs feeding each unit of a weight tensor, as Sonnet and TensorFlow
 * count them: rank 0 is {@code (1, 1)}; rank 1 {@code (n, n)}; rank 2 {@code [in, out]} is {@code
 * (in, out)}; a convolution kernel {@code [k..., in, out]} multiplies both by the receptive field
 * {@code prod(k...)}.
 *
 * @param fanIn inputs per output unit
 * @param fanOut outputs per input unit
 */
public record Fans(double fanIn, double fanOut) {
  /** The fans of a weight of shape {@code shape}. */
  public static Fans of(Shape shape) {
    int rank = shape.rank();
    if (rank == 0) {
      return new Fans(1, 1);
    }
    if (rank == 1) {
      return new Fans(shape.dim(0), shape.dim(0));
    }
    double receptiveField = 1;
    for (int i = 0; i < rank - 2; i++) {
      receptiveField *= shape.dim(i);
    }
    return new Fans(shape.dim(rank - 2) * receptiveField, shape.dim(rank - 1) * receptiveField);
  }

  /** {@code (fanIn + fanOut) / 2}. */
  public double fanAvg() {
    return (fanIn + fanOut) / 2;
  }
}
