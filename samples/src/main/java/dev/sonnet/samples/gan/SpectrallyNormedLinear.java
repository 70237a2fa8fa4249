package dev.sonnet.samples.gan;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * A linear layer {@code y = x w + b} whose {@code w} is spectrally normalised ({@link
 * SpectralNormalizer}) on every training call, as the Little GAN example's {@code
 * SpectrallyNormedLinear}. Variables: {@code w:[in, out]} (truncated normal, stddev {@code
 * 1/sqrt(in)}, as {@code Linear}), {@code b:[out]} zeros, and the normalizer's {@code u}.
 */
public final class SpectrallyNormedLinear extends Module {
  final int outputSize;
  @Param Variable w;
  @Param Variable b;
  SpectralNormalizer normalizer;

  /** A layer with {@code outputSize} outputs, named {@code name}. */
  public SpectrallyNormedLinear(int outputSize, String name) {
    super(name);
    if (outputSize < 1) {
      throw new IllegalArgumentException(
          "SpectrallyNormedLinear: outputSize must be at least 1, got " + outputSize);
    }
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
    normalizer = new SpectralNormalizer();
  }

  /** Normalises {@code w} when training, then {@code x w + b}. */
  public Tensor call(Tensor x, boolean isTraining) {
    build(x);
    normalizer.normalize(w, isTraining);
    return x.matmul(w).add(b);
  }
}
