package dev.sonnet.regularizers;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import java.util.function.Function;

/** Sums a per-tensor penalty over a list and scales it; shared by the regularizers here. */
final class Penalties {
  private Penalties() {}

  static Tensor sum(
      String what,
      double scale,
      List<? extends Operand> tensors,
      Function<Tensor, Tensor> penalty) {
    Tensor total = null;
    DType dtype = null;
    for (int i = 0; i < tensors.size(); i++) {
      Operand o = tensors.get(i);
      if (o == null) {
        throw new IllegalArgumentException(
            what + ": tensor " + i + " of " + tensors.size() + " is null");
      }
      if (!o.dtype().isFloating()) {
        throw new IllegalArgumentException(
            what + " penalises float tensors; tensor " + i + " is " + o.dtype());
      }
      if (dtype != null && o.dtype() != dtype) {
        throw new IllegalArgumentException(
            what
                + ": all tensors need one dtype, tensor 0 is "
                + dtype
                + " and tensor "
                + i
                + " is "
                + o.dtype()
                + "; cast them first");
      }
      dtype = o.dtype();
      Tensor p = penalty.apply(o.asTensor());
      total = total == null ? p : total.add(p);
    }
    if (total == null) {
      return Tensor.zeros(DType.FLOAT32);
    }
    return total.mul(scale);
  }
}
