package dev.sonnet.ops;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/** Matrix products. */
public final class LinearAlgebra {
  private LinearAlgebra() {}

  public static Tensor matmul(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor matmul(Operand a, Operand b, boolean transposeA, boolean transposeB) {
    throw new UnsupportedOperationException("TODO");
  }
}
