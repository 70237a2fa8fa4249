package dev.sonnet.ops;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/** {@code cond ? a : b} elementwise, the three operands broadcast together. */
record WhereOp() implements Op {
  static final WhereOp INSTANCE = new WhereOp();

  @Override
  public String name() {
    return "where";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor cond = inputs[0];
    Tensor a = inputs[1];
    Tensor b = inputs[2];
    if (cond.dtype() != DType.BOOL) {
      throw new DTypeException(
          "where: the condition must be bool, got "
              + cond.dtype()
              + cond.shape()
              + "; build it with a comparison, e.g. x.greater(zero)");
    }
    OpSupport.requireSameDtype("where", a, b);
    Shape ab = Shape.broadcast("where", a.shape(), b.shape());
    Shape shape = Shape.broadcast("where", cond.shape(), ab);
    Tensor out = OpSupport.allocateUninitialized(a.backend(), a.dtype(), shape);
    if (shape.size() > 0) {
      a.backend()
          .where(
              cond.buffer(),
              cond.shape().broadcastStrides(shape),
              a.buffer(),
              a.shape().broadcastStrides(shape),
              b.buffer(),
              b.shape().broadcastStrides(shape),
              out.buffer(),
              shape.dims());
    }
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor cond = inputs[0];
    Tensor g = upstream[0];
    Tensor zero = OpSupport.scalarLike(g, 0);
    Tensor ga = Elementwise.where(cond, g, zero);
    Tensor gb = Elementwise.where(cond, zero, g);
    return new Tensor[] {
      null,
      Broadcasting.reduceTo(ga, inputs[1].shape()),
      Broadcasting.reduceTo(gb, inputs[2].shape())
    };
  }
}
