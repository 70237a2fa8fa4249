package dev.sonnet.samples.vqvae;

import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The VQ-VAE example's residual stack: {@code numResidualLayers} times {@code h += conv1x1(relu(
 * conv3x3(relu(h))))}, then a final ReLU (ResNet v1 style). The 3x3 convolutions have {@code
 * numResidualHiddens} channels, the 1x1 convolutions bring them back to {@code numHiddens}.
 */
public final class ResidualStack extends Module {
  final int numHiddens;
  final int numResidualLayers;
  final int numResidualHiddens;
  List<Conv2D> conv3;
  List<Conv2D> conv1;

  /** A stack named {@code residual_stack}. */
  public ResidualStack(int numHiddens, int numResidualLayers, int numResidualHiddens) {
    super(null);
    this.numHiddens = numHiddens;
    this.numResidualLayers = numResidualLayers;
    this.numResidualHiddens = numResidualHiddens;
  }

  @Build
  void createLayers(Tensor x) {
    conv3 = new ArrayList<>();
    conv1 = new ArrayList<>();
    for (int i = 0; i < numResidualLayers; i++) {
      conv3.add(Conv2D.builder(numResidualHiddens, 3).name("res3x3_" + i).build());
      conv1.add(Conv2D.builder(numHiddens, 1).name("res1x1_" + i).build());
    }
  }

  /** {@code x [B, H, W, numHiddens]} to the same shape. */
  public Tensor call(Tensor x) {
    build(x);
    Tensor h = x;
    for (int i = 0; i < numResidualLayers; i++) {
      h = h.add(conv1.get(i).call(conv3.get(i).call(h.relu()).relu()));
    }
    return h.relu();
  }
}
