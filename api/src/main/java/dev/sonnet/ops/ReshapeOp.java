package dev.sonnet.ops;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/** The same buffer viewed in another shape of the same size; copies nothing. */
record ReshapeOp(Shape shape) implements Op {

  @Override
  public String name() {
    return "reshape";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    return new Tensor[] {Tensor.wrap(x.buffer(), shape)};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return new Tensor[] {ShapeOps.reshapeTo(upstream[0], inputs[0].shape())};
  }
}
