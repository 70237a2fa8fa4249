package dev.sonnet.samples.modules;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * The Sonnet 2 README's {@code MyLinear}: {@code y = x w + b}, with {@code w} and {@code b} created
 * on the first call, when the input size is known.
 *
 * <pre>{@code
 * var mod = new MyLinear(10);
 * mod.call(Tensor.ones(DType.FLOAT32, 8, 3));
 * mod;              // MyLinear(outputSize=10)
 * mod.variables();  // [Variable(my_linear/b, f32[10], trainable), Variable(my_linear/w, f32[3, 10], trainable)]
 * }</pre>
 */
public final class MyLinear extends Module implements Layer {
  final int outputSize;
  @Param Variable w;
  @Param Variable b;

  /** A linear layer with {@code outputSize} outputs, named {@code my_linear}. */
  public MyLinear(int outputSize) {
    this(outputSize, null);
  }

  /** A linear layer with {@code outputSize} outputs, named {@code name}. */
  public MyLinear(int outputSize, String name) {
    super(name);
    this.outputSize = outputSize;
  }

  /** Runs once, on the first call: {@code w} is {@code [inputSize, outputSize]}. */
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
