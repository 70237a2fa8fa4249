package dev.sonnet.ops;

import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;

/** Matrix products. */
public final class LinearAlgebra {
  private LinearAlgebra() {}

  /** {@link #matmul(Operand, Operand, boolean, boolean)} without transposition. */
  public static Tensor matmul(Operand a, Operand b) {
    return matmul(a, b, false, false);
  }

  /**
   * The matrix product with NumPy's {@code matmul} rules, f32 or f64.
   *
   * <p>Operands of rank >= 2 are stacks of matrices in their last two axes: {@code [..., m, k] @
   * [..., k, n] -> [..., m, n]}, the leading (batch) axes broadcasting against each other, so
   * {@code [8, 3, 4] @ [4, 5]} is {@code [8, 3, 5]}. A rank-1 {@code a} is a row vector (its axis
   * {@code m} is then removed from the result), a rank-1 {@code b} a column vector (axis {@code n}
   * removed); two vectors give their dot product as a scalar.
   *
   * <p>{@code transposeA} reads {@code a}'s matrices as their transposes without copying (so {@code
   * a} is {@code [..., k, m]}); likewise {@code transposeB}. They are ignored for rank-1 operands.
   * The gradients sum over broadcast batch axes.
   *
   * @throws dev.sonnet.tensor.ShapeException if the inner dimensions differ (the message names both
   *     shapes and both inner sizes), batch axes do not broadcast, or dtypes differ
   */
  public static Tensor matmul(Operand a, Operand b, boolean transposeA, boolean transposeB) {
    return Dispatch.run1(
        new MatMulOp(transposeA, transposeB),
        Operands.tensor(a, "matmul", 1),
        Operands.tensor(b, "matmul", 2));
  }
}
