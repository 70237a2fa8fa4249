package dev.sonnet.ops;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/** Reductions over axes. */
public final class Reductions {
  private Reductions() {}

  public static Tensor sum(Operand x, boolean keepDims, int... axes) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor mean(Operand x, boolean keepDims, int... axes) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor max(Operand x, boolean keepDims, int... axes) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor min(Operand x, boolean keepDims, int... axes) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor variance(Operand x, boolean keepDims, int... axes) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor logsumexp(Operand x, boolean keepDims, int... axes) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor argmax(Operand x, int axis) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor argmin(Operand x, int axis) {
    throw new UnsupportedOperationException("TODO");
  }
}
