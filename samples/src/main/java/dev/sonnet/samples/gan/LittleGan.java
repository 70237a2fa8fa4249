package dev.sonnet.samples.gan;

import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;

/**
 * The Sonnet 2 example's {@code LittleGAN}: a {@link Generator} of 28x28 images and a {@link
 * Discriminator}, both MLPs with spectrally normalised hidden layers.
 */
public final class LittleGan extends Module {
  final int numLayers;
  final int embedDim;
  final Generator generator;
  final Discriminator discriminator;

  /**
   * {@code numLayers} hidden layers of {@code embedDim} units in each half (Sonnet: 2 and 1024).
   */
  public LittleGan(int numLayers, int embedDim) {
    super(null);
    this.numLayers = numLayers;
    this.embedDim = embedDim;
    this.generator = new Generator(28, 28, numLayers, embedDim);
    this.discriminator = new Discriminator(numLayers, embedDim);
  }

  /** The generator half. */
  public Generator generator() {
    return generator;
  }

  /** The discriminator half. */
  public Discriminator discriminator() {
    return discriminator;
  }

  /** Images {@code [B, 28, 28]} in {@code (0, 1)} for {@code noise [B, noiseDim]}. */
  public Tensor generate(Tensor noise, boolean isTraining) {
    return generator.call(noise, isTraining);
  }

  /** One score per image; the discriminator always runs in training mode, as in the example. */
  public Tensor discriminate(Tensor images) {
    return discriminator.call(images, true);
  }
}
