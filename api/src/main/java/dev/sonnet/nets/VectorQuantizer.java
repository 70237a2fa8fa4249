package dev.sonnet.nets;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * The vector quantiser of VQ-VAE (van den Oord et al., 2017): each input vector is replaced by the
 * nearest of {@code numEmbeddings} codes (squared Euclidean distance), with the straight-through
 * estimator {@code quantize = x + stopGradient(q - x)} and the loss {@code mean((q - sg(x))^2) +
 * commitmentCost * mean((sg(q) - x)^2)}.
 *
 * <p><b>Shapes.</b> Input {@code [..., embeddingDim]}; {@code quantize} the same; {@code encodings
 * [N, numEmbeddings]} one-hot and {@code distances [N, numEmbeddings]} with {@code N} the number of
 * input vectors; {@code encodingIndices [...]} (int32); {@code loss} and {@code perplexity}
 * scalars.
 *
 * <p><b>Variables:</b> {@code embeddings:[embeddingDim, numEmbeddings]} (codes in columns, as in
 * Sonnet), uniform in {@code +-sqrt(3 / embeddingDim)} (variance scaling, fan-in, uniform).
 *
 * <pre>{@code
 * var vq = new VectorQuantizer(64, 512, 0.25);
 * VectorQuantizer.Result r = vq.call(z, true);   // r.quantize() to the decoder, r.loss() to the loss
 * }</pre>
 */
public final class VectorQuantizer extends Module {
  /** {@link DType#FLOAT32}: the codebook's dtype; inputs must match it. */
  public static final DType DEFAULT_DTYPE = DType.FLOAT32;

  /** What a call returns (Sonnet's dictionary). */
  public record Result(
      Tensor quantize,
      Tensor loss,
      Tensor perplexity,
      Tensor encodings,
      Tensor encodingIndices,
      Tensor distances) {}

  final int embeddingDim;
  final int numEmbeddings;
  final double commitmentCost;
  final DType dtype;
  @Param Variable embeddings;

  /** A quantiser with float32 codes, named {@code vector_quantizer}. */
  public VectorQuantizer(int embeddingDim, int numEmbeddings, double commitmentCost) {
    this(embeddingDim, numEmbeddings, commitmentCost, DEFAULT_DTYPE, null);
  }

  /**
   * Starts a quantiser with every other setting at its default, e.g. {@code
   * VectorQuantizer.builder(64, 512, 0.25).dtype(DType.FLOAT64).build()}.
   *
   * @param embeddingDim the size of each code (the input's last dimension), at least 1
   * @param numEmbeddings the number of codes, at least 1
   * @param commitmentCost the weight of the commitment term (the paper's beta, 0.25 there); no
   *     default, as in Sonnet
   */
  public static VectorQuantizerBuilder builder(
      int embeddingDim, int numEmbeddings, double commitmentCost) {
    return new VectorQuantizerBuilder(embeddingDim, numEmbeddings, commitmentCost);
  }

  /**
   * Every setting; called by {@link VectorQuantizerBuilder}, which documents each and its default.
   */
  @Settings
  VectorQuantizer(
      int embeddingDim, int numEmbeddings, double commitmentCost, DType dtype, String name) {
    super(name);
    if (embeddingDim < 1 || numEmbeddings < 1) {
      throw new IllegalArgumentException(
          "VectorQuantizer: embeddingDim and numEmbeddings must"
              + " be >= 1, got "
              + embeddingDim
              + " and "
              + numEmbeddings);
    }
    this.embeddingDim = embeddingDim;
    this.numEmbeddings = numEmbeddings;
    this.commitmentCost = commitmentCost;
    if (dtype == null) {
      throw new IllegalArgumentException(
          "VectorQuantizer: dtype must not be null; leave it unset"
              + " in the builder for its default (VectorQuantizer.DEFAULT_DTYPE)");
    }
    this.dtype = dtype;
  }

  @Build
  void initialize(DType requested) {
    double limit = Math.sqrt(3.0 / embeddingDim);
    Initializer init = Initializers.randomUniform(-limit, limit);
    embeddings = variable("embeddings", init, dtype, Shape.of(embeddingDim, numEmbeddings), true);
  }

  /** The codebook {@code [embeddingDim, numEmbeddings]}, created now if needed. */
  public Variable embeddings() {
    build(dtype);
    return embeddings;
  }

  /** Quantises {@code x}; {@code isTraining} is accepted for symmetry with the EMA variant. */
  public Result call(Tensor x, boolean isTraining) {
    build(dtype);
    Quantized q = quantize(this, x, embeddings.asTensor(), embeddingDim, numEmbeddings);
    Tensor eLatent = q.quantized.stopGradient().sub(x).square().mean();
    Tensor qLatent = q.quantized.sub(x.stopGradient()).square().mean();
    Tensor loss = qLatent.add(eLatent.mul(commitmentCost));
    return q.result(x, loss);
  }

  /** The codes for {@code indices} (any shape): {@code [..., embeddingDim]}. */
  public Tensor quantizeIndices(Tensor indices) {
    build(dtype);
    return embeddings.asTensor().transpose().gather(indices, 0);
  }

  /** The shared nearest-code computation of both quantisers. */
  static Quantized quantize(Module m, Tensor x, Tensor codes, int dim, int k) {
    if (x.rank() < 1 || x.dim(-1) != dim) {
      throw new ShapeException(
          m.getClass().getSimpleName()
              + " '"
              + m.path()
              + "': input "
              + x.shape()
              + " should end in embeddingDim="
              + dim);
    }
    if (x.dtype() != codes.dtype()) {
      throw new DTypeException(
          m.getClass().getSimpleName()
              + " '"
              + m.path()
              + "': input dtype "
              + x.dtype()
              + " differs from the codebook's "
              + codes.dtype());
    }
    Tensor flat = x.reshape(-1, dim);
    Tensor distances =
        flat.square()
            .sum(true, 1)
            .sub(flat.matmul(codes).mul(2.0))
            .add(codes.square().sum(true, 0));
    Tensor indices = distances.neg().argmax(1).cast(DType.INT32);
    Tensor encodings = dev.sonnet.ops.ShapeOps.oneHot(indices, k, distances.dtype());
    int[] lead = java.util.Arrays.copyOf(x.shape().dims(), x.rank() - 1);
    Tensor shapedIndices = indices.reshape(lead);
    Tensor quantized = codes.transpose().gather(shapedIndices, 0);
    return new Quantized(flat, distances, encodings, shapedIndices, quantized);
  }

  record Quantized(
      Tensor flat, Tensor distances, Tensor encodings, Tensor indices, Tensor quantized) {
    Result result(Tensor x, Tensor loss) {
      Tensor st = x.add(quantized.sub(x).stopGradient());
      Tensor avg = encodings.mean(0);
      Tensor perplexity = avg.mul(avg.add(1e-10).log()).sum().neg().exp();
      return new Result(st, loss, perplexity, encodings, indices, distances);
    }
  }
}
