package dev.sonnet.conformance.checkpoint;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/** {@code y = x w + b}, created on the first call: the checkpoint tests' leaf module. */
public final class CkLinear extends Module implements Layer {
  final int outputSize;
  @Param Variable w;
  @Param Variable b;

  public CkLinear(int outputSize) {
    this(outputSize, null);
  }

  public CkLinear(int outputSize, String name) {
    super(name);
    this.outputSize = outputSize;
  }

  @Build
  void initialize(Tensor x) {
    int inputSize = x.dim(-1);
    w =
        variable(
            "w",
            Initializers.truncatedNormal(1 / Math.sqrt(inputSize)),
            x.dtype(),
            inputSize,
            outputSize);
    b = variable("b", Initializers.zeros(), x.dtype(), outputSize);
  }

  @Override
  public Tensor call(Tensor x) {
    build(x);
    return x.matmul(w).add(b);
  }
}
