package dev.sonnet.nets;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.nn.MovingAverage;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * The VQ-VAE quantiser whose codebook is learned by exponential moving averages instead of
 * gradients (van den Oord et al., 2017, appendix): as {@link VectorQuantizer}, but in training the
 * codes become {@code ema_dw / smoothed(ema_cluster_size)}, where {@code ema_cluster_size} averages
 * how many inputs chose each code and {@code ema_dw} the sum of those inputs, with Laplace
 * smoothing {@code (n_k + eps) / (n + K eps) * n}. The loss is the commitment term only, {@code
 * commitmentCost * mean((sg(q) - x)^2)}.
 *
 * <p><b>Shapes:</b> as {@link VectorQuantizer}.
 *
 * <p><b>Variables:</b> {@code embeddings:[embeddingDim, numEmbeddings]} (non-trainable, uniform in
 * {@code +-sqrt(3 / embeddingDim)} as in {@link VectorQuantizer} and Sonnet 2; Sonnet 1 used a
 * standard normal), and the debiased {@link MovingAverage}s {@code ema_cluster_size} ({@code
 * [numEmbeddings]}) and {@code ema_dw} ({@code [embeddingDim, numEmbeddings]}), 7 in all.
 *
 * <pre>{@code
 * var vq = new VectorQuantizerEMA(64, 512, 0.25, 0.99);
 * VectorQuantizer.Result r = vq.call(z, true);   // updates the codebook
 * }</pre>
 */
public final class VectorQuantizerEMA extends Module {
  /** {@code 1e-5}: Laplace smoothing that keeps unused codes from dividing by zero. */
  public static final double DEFAULT_EPSILON = 1e-5;

  /** {@link DType#FLOAT32}: the codebook's dtype; inputs must match it. */
  public static final DType DEFAULT_DTYPE = DType.FLOAT32;

  final int embeddingDim;
  final int numEmbeddings;
  final double commitmentCost;
  final double decay;
  final double epsilon;
  final DType dtype;

  @Param(trainable = false)
  Variable embeddings;

  final MovingAverage emaClusterSize;
  final MovingAverage emaDw;

  /** A quantiser with the default epsilon and float32 codes. */
  public VectorQuantizerEMA(
      int embeddingDim, int numEmbeddings, double commitmentCost, double decay) {
    this(embeddingDim, numEmbeddings, commitmentCost, decay, DEFAULT_EPSILON, DEFAULT_DTYPE, null);
  }

  /**
   * Starts a quantiser with every other setting at its default, e.g. {@code
   * VectorQuantizerEMA.builder(64, 512, 0.25, 0.99).epsilon(1e-3).build()}.
   *
   * @param embeddingDim the size of each code, at least 1
   * @param numEmbeddings the number of codes, at least 1
   * @param commitmentCost weight of the commitment loss; no default
   * @param decay decay of the moving averages, in {@code [0, 1]}; no default (0.99 in the paper)
   */
  public static VectorQuantizerEMABuilder builder(
      int embeddingDim, int numEmbeddings, double commitmentCost, double decay) {
    return new VectorQuantizerEMABuilder(embeddingDim, numEmbeddings, commitmentCost, decay);
  }

  /**
   * Every setting; called by {@link VectorQuantizerEMABuilder}, which documents each and its
   * default.
   */
  @SuppressWarnings("this-escape")
  @Settings
  VectorQuantizerEMA(
      int embeddingDim,
      int numEmbeddings,
      double commitmentCost,
      double decay,
      double epsilon,
      DType dtype,
      String name) {
    super(name);
    if (embeddingDim < 1 || numEmbeddings < 1) {
      throw new IllegalArgumentException(
          "VectorQuantizerEMA: embeddingDim and numEmbeddings" + " must be >= 1");
    }
    if (!(decay >= 0 && decay <= 1)) {
      throw new IllegalArgumentException(
          "VectorQuantizerEMA: decay must be in [0, 1], got " + decay);
    }
    this.embeddingDim = embeddingDim;
    this.numEmbeddings = numEmbeddings;
    this.commitmentCost = commitmentCost;
    this.decay = decay;
    this.epsilon = epsilon;
    if (dtype == null) {
      throw new IllegalArgumentException(
          "VectorQuantizerEMA: dtype must not be null; leave it"
              + " unset in the builder for its default (VectorQuantizerEMA.DEFAULT_DTYPE)");
    }
    this.dtype = dtype;
    this.emaClusterSize = new MovingAverage(decay, "ema_cluster_size");
    this.emaDw = new MovingAverage(decay, "ema_dw");
  }

  @Build
  void initialize(DType requested) {
    double limit = Math.sqrt(3.0 / embeddingDim);
    embeddings =
        variable(
            "embeddings",
            Initializers.randomUniform(-limit, limit),
            dtype,
            Shape.of(embeddingDim, numEmbeddings),
            false);
    emaClusterSize.initialize(Tensor.zeros(dtype, Shape.of(numEmbeddings)));
    emaDw.initialize(embeddings.peek());
  }

  /** The codebook, created now if needed. */
  public Variable embeddings() {
    build(dtype);
    return embeddings;
  }

  /** Quantises {@code x}; in training also moves the codebook towards the assigned inputs. */
  public VectorQuantizer.Result call(Tensor x, boolean isTraining) {
    build(dtype);
    VectorQuantizer.Quantized q =
        VectorQuantizer.quantize(this, x, embeddings.asTensor(), embeddingDim, numEmbeddings);
    Tensor eLatent = q.quantized().stopGradient().sub(x).square().mean();
    if (isTraining) {
      emaClusterSize.update(q.encodings().sum(0));
      emaDw.update(q.flat().transpose().matmul(q.encodings()));
      Tensor size = emaClusterSize.value();
      Tensor n = size.sum();
      Tensor smoothed = size.add(epsilon).div(n.add(numEmbeddings * epsilon)).mul(n);
      embeddings.assign(emaDw.value().div(smoothed.reshape(1, -1)).stopGradient());
    }
    return q.result(x, eLatent.mul(commitmentCost));
  }
}
