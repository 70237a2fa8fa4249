package dev.sonnet.samples.vqvae;

import dev.sonnet.module.Module;
import dev.sonnet.nets.VectorQuantizer;
import dev.sonnet.nets.VectorQuantizerEMA;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.tensor.Tensor;

/**
 * The example's {@code VQVAEModel}: encoder, a 1x1 convolution to the code size, the vector
 * quantiser (moving-average codebook), decoder. The loss is {@code mean((x_recon - x)^2) /
 * dataVariance} (the reconstruction error, scaled so 1 means "as bad as predicting the mean") plus
 * the quantiser's commitment loss.
 */
public final class VqVaeModel extends Module {
  final Encoder encoder;
  final Decoder decoder;
  final VectorQuantizerEMA vq;
  final Conv2D preVq;
  final int embeddingDim;
  final double dataVariance;

  /** What one call returns. */
  public record Output(
      Tensor reconstruction, Tensor loss, Tensor reconstructionError, VectorQuantizer.Result vq) {}

  /** Wires the parts; {@code dataVariance} is the variance of the training pixels. */
  public VqVaeModel(
      Encoder encoder,
      Decoder decoder,
      VectorQuantizerEMA vq,
      int embeddingDim,
      double dataVariance) {
    super(null);
    this.encoder = encoder;
    this.decoder = decoder;
    this.vq = vq;
    this.preVq = Conv2D.builder(embeddingDim, 1).name("to_vq").build();
    this.embeddingDim = embeddingDim;
    this.dataVariance = dataVariance;
  }

  /** Encodes, quantises and decodes {@code x [B, 28, 28, 1]}. */
  public Output call(Tensor x, boolean isTraining) {
    Tensor z = preVq.call(encoder.call(x));
    VectorQuantizer.Result q = vq.call(z, isTraining);
    Tensor reconstruction = decoder.call(q.quantize());
    Tensor error = reconstruction.sub(x).square().mean().div(dataVariance);
    return new Output(reconstruction, error.add(q.loss()), error, q);
  }
}
