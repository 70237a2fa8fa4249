package dev.sonnet.ops;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;

/** Converts to {@code dtype}; gradients flow only between floating dtypes. */
record CastOp(DType dtype) implements Op {

  @Override
  public String name() {
    return "cast";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor out = OpSupport.allocateUninitialized(x.backend(), dtype, x.shape());
    if (x.size() > 0) {
      x.backend().cast(x.buffer(), out.buffer());
    }
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    DType in = inputs[0].dtype();
    if (!in.isFloating() || !dtype.isFloating()) {
      return new Tensor[] {null};
    }
    return new Tensor[] {Elementwise.cast(upstream[0], in)};
  }
}
