package dev.sonnet.samples.gan;

import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Images {@code [B, ...]} to one score each {@code [B]}: the flattened image through {@code
 * numLayers} {@link SimpleBlock}s without batch normalisation and a {@link SpectrallyNormedLinear}
 * with one output named {@code outputs}. Higher means "real".
 */
public final class Discriminator extends Module {
  final int numLayers;
  final int embedDim;
  List<SimpleBlock> layers;
  SpectrallyNormedLinear outputs;

  /** A discriminator named {@code discriminator}. */
  public Discriminator(int numLayers, int embedDim) {
    super(null);
    this.numLayers = numLayers;
    this.embedDim = embedDim;
  }

  @Build
  void createLayers(Tensor images) {
    layers = new ArrayList<>();
    for (int i = 0; i < numLayers; i++) {
      layers.add(new SimpleBlock(embedDim, false, "block_" + i));
    }
    outputs = new SpectrallyNormedLinear(1, "outputs");
  }

  /** Scores for {@code images}; in training each layer's weights are normalised first. */
  public Tensor call(Tensor images, boolean isTraining) {
    build(images);
    Tensor h = images.reshape(images.dim(0), -1);
    for (SimpleBlock block : layers) {
      h = block.call(h, isTraining);
    }
    return outputs.call(h, isTraining).reshape(-1);
  }
}
