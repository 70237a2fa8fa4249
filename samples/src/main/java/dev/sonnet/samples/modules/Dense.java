package dev.sonnet.samples.modules;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Param;
import dev.sonnet.module.Transposable;
import dev.sonnet.module.Transpose;
import dev.sonnet.module.TransposeWith;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * A linear layer with a transpose (Sonnet 1's {@code Transposable}): {@code dense.transpose()} is a
 * {@code Dense} whose output size is this one's input size, known once this one is built. The
 * transpose has its own variables. {@code @Transposable} has the processor write how the transpose
 * is constructed; {@link #transpose()} is the one line that offers it.
 *
 * <pre>{@code
 * var encoder = new Dense(16);
 * Deferred<Dense> decoder = encoder.transpose();     // before encoder's first call
 * decoder.call(encoder.call(x)).shape();             // x's shape
 * }</pre>
 */
@Transposable
public final class Dense extends Module implements Layer {
  final int outputSize;
  @Param Variable w;
  @Param Variable b;

  public Dense(int outputSize) {
    this(outputSize, null);
  }

  /** In the transpose, {@code outputSize} is this module's {@link #inputSize()}. */
  public Dense(@TransposeWith("inputSize") int outputSize, String name) {
    super(name);
    this.outputSize = outputSize;
  }

  /** A new {@code Dense} mapping this one's outputs back to its input size. */
  public Deferred<Dense> transpose() {
    return Transpose.of(this);
  }

  /** The input size, known once the module is built. */
  public int inputSize() {
    if (w == null) {
      throw new NotBuiltException(
          "Dense '"
              + name()
              + "' has no input size yet: it is read from"
              + " the first input. Call the module (dense.call(x)) before using its transpose.");
    }
    return w.shape().dim(0);
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
