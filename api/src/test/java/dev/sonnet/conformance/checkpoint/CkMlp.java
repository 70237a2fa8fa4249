package dev.sonnet.conformance.checkpoint;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;

/**
 * Two {@link CkLinear} layers with a tanh between them, made in the constructor, so the variables
 * are {@code ck_mlp/linear/w}, {@code ck_mlp/linear_1/w} and their biases (or under another name).
 */
public final class CkMlp extends Module implements Layer {
  final int hiddenSize;
  final int outputSize;
  final CkLinear first;
  final CkLinear second;

  public CkMlp(int hiddenSize, int outputSize) {
    this(hiddenSize, outputSize, null);
  }

  public CkMlp(int hiddenSize, int outputSize, String name) {
    super(name);
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
    this.first = new CkLinear(hiddenSize, "linear");
    this.second = new CkLinear(outputSize, "linear");
  }

  @Override
  public Tensor call(Tensor x) {
    return second.call(first.call(x).tanh());
  }
}
