package dev.sonnet.regularizers;

import dev.sonnet.ops.LinearAlgebra;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * Pushes the columns of each weight towards being mutually orthogonal, leaving their norms free:
 * each tensor is reshaped to a matrix {@code W} of {@code [-1, lastDim]} and penalised by the sum
 * of the squared off-diagonal entries of {@code W^T W}, that is {@code sum((W^T W)^2) - trace((W^T
 * W)^2)} with the square taken element-wise; the total is multiplied by {@code scale}. (Sonnet's
 * repr of this class says {@code Orthogonal}; this one names itself.)
 *
 * @param scale the penalty's weight, {@code >= 0}
 */
public record OffDiagonalOrthogonal(double scale) implements Regularizer {
  /** Checks the scale. */
  public OffDiagonalOrthogonal {
    Regularizer.checkScale("OffDiagonalOrthogonal", scale);
  }

  @Override
  public Tensor apply(List<? extends Operand> tensors) {
    return Penalties.sum("OffDiagonalOrthogonal", scale, tensors, OffDiagonalOrthogonal::penalty);
  }

  private static Tensor penalty(Tensor t) {
    if (t.rank() == 0) {
      throw new IllegalArgumentException(
          "OffDiagonalOrthogonal needs tensors of rank 1 or more"
              + " (columns along the last axis), got a scalar");
    }
    int cols = t.dim(-1);
    Tensor w = t.reshape(-1, cols);
    Tensor gram = LinearAlgebra.matmul(w, w, true, false);
    Tensor offDiagonal = Tensor.ones(t.dtype(), cols, cols).sub(eye(cols, t.dtype()));
    return gram.square().mul(offDiagonal).sum();
  }

  private static Tensor eye(int n, DType dtype) {
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      v[i * n + i] = 1;
    }
    return Tensor.of(v, n, n).cast(dtype);
  }

  /** Like {@code OffDiagonalOrthogonal(scale=0.01)}. */
  @Override
  public String toString() {
    return "OffDiagonalOrthogonal(scale=" + scale + ")";
  }
}
