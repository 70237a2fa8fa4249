package dev.sonnet.conformance.checkpoint;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * A module with a variable of every dtype, trainable and not, and a nested {@link CkLinear}: the
 * module of the checked-in golden checkpoint. Its output depends on every variable.
 */
public final class CkEveryDType extends Module implements Layer {
  final CkLinear linear;

  @Param(trainable = false)
  Variable count;

  @Param Variable table;

  @Param(trainable = false)
  Variable ids;

  @Param(trainable = false)
  Variable mask;

  public CkEveryDType(String name) {
    super(name);
    this.linear = new CkLinear(2);
  }

  @Build
  void initialize(Tensor x) {
    count = variable("count", Initializers.zeros(), DType.INT64, Shape.SCALAR, false);
    table = variable("table", Initializers.ones(), DType.FLOAT64, Shape.of(2, 2), true);
    ids = variable("ids", Initializers.zeros(), DType.INT32, Shape.of(3), false);
    mask = variable("mask", Initializers.zeros(), DType.BOOL, Shape.of(2), false);
  }

  @Override
  public Tensor call(Tensor x) {
    build(x);
    Tensor y = linear.call(x);
    Tensor extra =
        table
            .read()
            .sum()
            .add(count.read().cast(DType.FLOAT64).add(ids.read().cast(DType.FLOAT64).sum()))
            .add(mask.read().cast(DType.FLOAT64).sum());
    return y.add(extra.cast(y.dtype()));
  }
}
