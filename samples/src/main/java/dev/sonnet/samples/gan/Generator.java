package dev.sonnet.samples.gan;

import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Noise {@code [B, noise]} to images {@code [B, height, width]} in {@code (0, 1)}: {@code
 * numLayers} {@link SimpleBlock}s with batch normalisation, a plain {@code Linear} to {@code height
 * * width} outputs named {@code outputs}, and a sigmoid.
 */
public final class Generator extends Module {
  final int height;
  final int width;
  final int numLayers;
  final int embedDim;
  List<SimpleBlock> layers;
  Linear outputs;

  /** A generator of {@code height x width} images, named {@code generator}. */
  public Generator(int height, int width, int numLayers, int embedDim) {
    super(null);
    this.height = height;
    this.width = width;
    this.numLayers = numLayers;
    this.embedDim = embedDim;
  }

  @Build
  void createLayers(Tensor noise) {
    layers = new ArrayList<>();
    for (int i = 0; i < numLayers; i++) {
      layers.add(new SimpleBlock(embedDim, true, "block_" + i));
    }
    outputs = new Linear(height * width, "outputs");
  }

  /** Images for {@code noise}; {@code isTraining} as in {@link SimpleBlock#call}. */
  public Tensor call(Tensor noise, boolean isTraining) {
    build(noise);
    Tensor h = noise.reshape(noise.dim(0), -1);
    for (SimpleBlock block : layers) {
      h = block.call(h, isTraining);
    }
    return outputs.call(h).reshape(-1, height, width).sigmoid();
  }
}
