package dev.sonnet.samples.vqvae;

import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Conv2DTranspose;
import dev.sonnet.tensor.Tensor;

/**
 * The VQ-VAE example's decoder: a 3x3 convolution to {@code numHiddens} channels, a {@link
 * ResidualStack}, and two 4x4 stride-2 transposed convolutions ({@code numHiddens / 2} channels
 * with a ReLU, then {@code outputChannels}), so {@code [B, 7, 7, D]} becomes {@code [B, 28, 28,
 * outputChannels]}.
 */
public final class Decoder extends Module {
  final int numHiddens;
  final int numResidualLayers;
  final int numResidualHiddens;
  final int outputChannels;
  Conv2D dec1;
  ResidualStack residualStack;
  Conv2DTranspose dec2;
  Conv2DTranspose dec3;

  /** A decoder named {@code decoder}. */
  public Decoder(
      int numHiddens, int numResidualLayers, int numResidualHiddens, int outputChannels) {
    super(null);
    this.numHiddens = numHiddens;
    this.numResidualLayers = numResidualLayers;
    this.numResidualHiddens = numResidualHiddens;
    this.outputChannels = outputChannels;
  }

  @Build
  void createLayers(Tensor z) {
    dec1 = Conv2D.builder(numHiddens, 3).name("dec_1").build();
    residualStack = new ResidualStack(numHiddens, numResidualLayers, numResidualHiddens);
    dec2 = Conv2DTranspose.builder(numHiddens / 2, 4).stride(2).name("dec_2").build();
    dec3 = Conv2DTranspose.builder(outputChannels, 4).stride(2).name("dec_3").build();
  }

  /** Decodes quantised codes {@code z [B, h, w, D]}. */
  public Tensor call(Tensor z) {
    build(z);
    Tensor h = dec1.call(z);
    h = residualStack.call(h);
    h = dec2.call(h).relu();
    return dec3.call(h);
  }
}
