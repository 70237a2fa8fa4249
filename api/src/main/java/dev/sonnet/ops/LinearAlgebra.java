package dev.sonnet.ops;

import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmEpilogue.Activation;
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

  /**
   * A dense layer: {@code activation(x @ w + b)}, with {@code b} null for no bias. The same value
   * and gradient as {@code x.matmul(w).add(b).relu()}, bit for bit, computed in one product when
   * {@link Fusion} is on, {@code x} is a matrix and the backend has the {@link GemmEpilogue}
   * capability ({@link DenseOp}); otherwise those three ops are dispatched.
   *
   * @param x {@code [batch..., k]}
   * @param w {@code [k, n]}
   * @param b {@code [n]}, or null
   * @param activation {@link Activation#NONE} or {@link Activation#RELU}
   */
  public static Tensor dense(Operand x, Operand w, Operand b, Activation activation) {
    Tensor[] in = b == null ? Dispatch.values(x, w) : Dispatch.values(x, w, b);
    DenseOp op = new DenseOp(activation, b != null);
    Tensor xt = in[0];
    if (Fusion.enabled()
        && xt.rank() == 2
        && in[1].rank() == 2
        && xt.dtype().isFloating()
        && xt.backend() instanceof GemmEpilogue) {
      return Dispatch.run1(op, in);
    }
    Tensor y = xt.matmul(in[1]);
    if (b != null) {
      y = y.add(in[2]);
    }
    return activation == Activation.RELU ? y.relu() : y;
  }
}
