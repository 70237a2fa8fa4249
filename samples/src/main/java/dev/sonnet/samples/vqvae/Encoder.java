package dev.sonnet.samples.vqvae;

import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.tensor.Tensor;

/**
 * The VQ-VAE example's encoder: two 4x4 stride-2 convolutions ({@code numHiddens / 2}, then {@code
 * numHiddens} channels), a 3x3 convolution, each followed by a ReLU, and a {@link ResidualStack}. A
 * {@code [B, 28, 28, 1]} image becomes {@code [B, 7, 7, numHiddens]}.
 */
public final class Encoder extends Module {
  final int numHiddens;
  final int numResidualLayers;
  final int numResidualHiddens;
  Conv2D enc1;
  Conv2D enc2;
  Conv2D enc3;
  ResidualStack residualStack;

  /** An encoder named {@code encoder}. */
  public Encoder(int numHiddens, int numResidualLayers, int numResidualHiddens) {
    super(null);
    this.numHiddens = numHiddens;
    this.numResidualLayers = numResidualLayers;
    this.numResidualHiddens = numResidualHiddens;
  }

  @Build
  void createLayers(Tensor x) {
    enc1 = Conv2D.builder(numHiddens / 2, 4).stride(2).name("enc_1").build();
    enc2 = Conv2D.builder(numHiddens, 4).stride(2).name("enc_2").build();
    enc3 = Conv2D.builder(numHiddens, 3).name("enc_3").build();
    residualStack = new ResidualStack(numHiddens, numResidualLayers, numResidualHiddens);
  }

  /** Encodes {@code x [B, H, W, C]}. */
  public Tensor call(Tensor x) {
    build(x);
    Tensor h = enc1.call(x).relu();
    h = enc2.call(h).relu();
    h = enc3.call(h).relu();
    return residualStack.call(h);
  }
}
