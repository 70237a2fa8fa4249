package dev.sonnet.samples.gan;

import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.tensor.Tensor;

/**
 * {@code relu(batchNorm?(spectrallyNormedLinear(x)))}: the hidden layer of both halves of the
 * Little GAN; the generator's blocks have batch normalisation (scale and offset learned), the
 * discriminator's do not.
 */
public final class SimpleBlock extends Module {
  final int embedDim;
  final boolean withBatchNorm;
  SpectrallyNormedLinear hidden;
  BatchNorm batchNorm;

  /** A block of {@code embedDim} units, named {@code name}. */
  public SimpleBlock(int embedDim, boolean withBatchNorm, String name) {
    super(name);
    this.embedDim = embedDim;
    this.withBatchNorm = withBatchNorm;
  }

  @Build
  void createLayers(Tensor x) {
    hidden = new SpectrallyNormedLinear(embedDim, "hidden");
    if (withBatchNorm) {
      batchNorm = new BatchNorm(true, true);
    }
  }

  /** One block; {@code isTraining} drives the normalizer and the batch statistics. */
  public Tensor call(Tensor x, boolean isTraining) {
    build(x);
    Tensor h = hidden.call(x, isTraining);
    if (batchNorm != null) {
      h = batchNorm.call(h, isTraining);
    }
    return h.relu();
  }
}
