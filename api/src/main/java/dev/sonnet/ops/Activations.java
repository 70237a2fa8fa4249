package dev.sonnet.ops;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/** Softmax and friends. */
public final class Activations {
  private Activations() {}

  public static Tensor softmax(Operand x, int axis) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor logSoftmax(Operand x, int axis) {
    throw new UnsupportedOperationException("TODO");
  }
}
