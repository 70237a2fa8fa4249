package dev.sonnet.initializers;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * A random (semi-)orthogonal matrix times {@code gain} (Saxe, McClelland and Ganguli, 2014):
 * multiplying by it preserves norms, so deep linear stacks neither explode nor vanish at the start.
 *
 * <p>The weight is viewed as a matrix of {@code rows = prod(shape[:-1])} by {@code cols =
 * shape[-1]}. A matrix of standard normal samples of {@code max(rows, cols)} by {@code min(rows,
 * cols)} is factored as {@code Q R}; the columns of {@code Q} are multiplied by the signs of {@code
 * R}'s diagonal (which makes the result uniformly distributed over orthogonal matrices), and {@code
 * Q} is transposed when {@code rows < cols}. So the rows are orthonormal when there are fewer rows
 * than columns, the columns otherwise. The factorisation runs on the host in double precision. Rank
 * 2 or more, float dtypes only.
 *
 * @param gain the factor applied to the orthogonal matrix; default {@value #DEFAULT_GAIN}
 *     (norm-preserving); use {@code sqrt(2)} before a relu
 */
public record Orthogonal(double gain) implements Initializer {
  /** Norm-preserving. */
  public static final double DEFAULT_GAIN = 1.0;

  /** Checks the gain. */
  public Orthogonal {
    if (!Double.isFinite(gain)) {
      throw new IllegalArgumentException("Orthogonal needs a finite gain, got " + gain);
    }
  }

  /** With gain 1. */
  public Orthogonal() {
    this(DEFAULT_GAIN);
  }

  @Override
  public Tensor apply(Shape shape, DType dtype, Rng rng) {
    Initializers.checkFloat("Orthogonal", dtype);
    if (shape.rank() < 2) {
      throw new IllegalArgumentException(
          "Orthogonal needs a weight of rank 2 or more, got shape "
              + shape
              + "; for a vector use randomNormal or zeros");
    }
    int cols = shape.dim(-1);
    int rows = shape.intSize() / Math.max(1, cols);
    if (shape.intSize() == 0) {
      return Tensor.zeros(dtype, shape);
    }
    int m = Math.max(rows, cols);
    int n = Math.min(rows, cols);
    double[][] q = new double[n][m]; // column j of the m x n matrix is q[j]
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        q[j][i] = rng.nextGaussian();
      }
    }
    orthonormalizeColumns(q);
    double[] out = new double[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        // rows >= cols: out = Q (m x n, m = rows); else out = Q^T (n x m, n = rows)
        out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
      }
    }
    return Tensor.of(out, shape.dims()).cast(dtype);
  }

  /**
   * Modified Gram-Schmidt, twice per column for accuracy. Each column keeps the direction a
   * Householder QR with a sign-fixed positive diagonal would give: {@code R[j][j]} is the norm of
   * the projected column, so it is positive and no sign flip is needed afterwards.
   */
  private static void orthonormalizeColumns(double[][] cols) {
    for (int j = 0; j < cols.length; j++) {
      double[] v = cols[j];
      for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < j; k++) {
          double[] u = cols[k];
          double dot = 0;
          for (int i = 0; i < v.length; i++) {
            dot += u[i] * v[i];
          }
          for (int i = 0; i < v.length; i++) {
            v[i] -= dot * u[i];
          }
        }
      }
      double norm = 0;
      for (double x : v) {
        norm += x * x;
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < v.length; i++) {
        v[i] /= norm;
      }
    }
  }

  /** Like {@code Orthogonal(gain=1.0)}. */
  @Override
  public String toString() {
    return "Orthogonal(gain=" + gain + ")";
  }
}
