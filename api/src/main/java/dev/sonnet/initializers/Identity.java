package dev.sonnet.initializers;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * {@code gain} times the identity matrix: ones on the diagonal of the last two dimensions, zeros
 * elsewhere; a weight of rank above 2 is a batch of such matrices. Rectangular matrices get ones on
 * the main diagonal ({@code [i, i]}). A recurrent weight started this way carries its state
 * unchanged at first (Le, Jaitly and Hinton, 2015). Rank 2 or more; any dtype.
 *
 * @param gain the diagonal's value; default {@value #DEFAULT_GAIN}
 */
public record Identity(double gain) implements Initializer {
  /** The plain identity. */
  public static final double DEFAULT_GAIN = 1.0;

  /** Checks the gain. */
  public Identity {
    if (!Double.isFinite(gain)) {
      throw new IllegalArgumentException("Identity needs a finite gain, got " + gain);
    }
  }

  /** With gain 1. */
  public Identity() {
    this(DEFAULT_GAIN);
  }

  @Override
  public Tensor apply(Shape shape, DType dtype, Rng rng) {
    if (shape.rank() < 2) {
      throw new IllegalArgumentException(
          "Identity needs a weight of rank 2 or more (the last two"
              + " dimensions hold the matrix), got shape "
              + shape);
    }
    int rows = shape.dim(-2);
    int cols = shape.dim(-1);
    int matrices = rows * cols == 0 ? 0 : shape.intSize() / (rows * cols);
    double[] out = new double[shape.intSize()];
    for (int b = 0; b < matrices; b++) {
      for (int i = 0; i < Math.min(rows, cols); i++) {
        out[b * rows * cols + i * cols + i] = gain;
      }
    }
    return Tensor.of(out, shape.dims()).cast(dtype);
  }

  /** Like {@code Identity(gain=1.0)}. */
  @Override
  public String toString() {
    return "Identity(gain=" + gain + ")";
  }
}
