package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * Batch normalisation (Ioffe &amp; Szegedy, 2015): {@code y = (x - mean) / sqrt(var + eps) * scale
 * + offset}, with the moments of the batch in training and moving averages of them in evaluation.
 *
 * <p><b>Flags</b> (as Sonnet 2's {@code __call__(inputs, is_training, test_local_stats)}): the
 * batch's statistics are used when {@code isTraining || testLocalStats}, else the moving averages;
 * the moving averages are updated only when {@code isTraining}.
 *
 * <p><b>Shapes.</b> Output shape = input shape; statistics are taken over every axis but the
 * channel axis.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code scale} (ones) and
 * {@code offset} (zeros), {@code [C]} (or {@code [C, 1, ...]} channels-first), <em>always</em>
 * created, trainable only with {@code createScale}/{@code createOffset} (as in Sonnet, so the
 * variable set does not depend on the flags); and two debiased {@link MovingAverage}s, {@code
 * moving_mean} and {@code moving_variance} ({@code counter}, {@code hidden}, {@code average} each,
 * non-trainable), of the moments' kept-dimension shape ({@code [1, ..., C]}). The averages start at
 * zero and are debiased, so after one training step they equal that batch's moments; before any
 * training step, evaluation divides by {@code sqrt(0 + eps)} (as in Sonnet).
 *
 * <pre>{@code
 * var bn = new BatchNorm(true, true);
 * Tensor y = bn.call(x, true);           // batch statistics; moving averages updated
 * Tensor z = bn.call(x, false);          // moving averages
 * }</pre>
 *
 * <p>The variance is the biased batch variance ({@code mean((x - mean)^2)}), for the output and the
 * moving average. (Sonnet's fused path for rank-4 channels-last inputs feeds the Bessel-corrected
 * variance to the moving average instead; this port does not.)
 */
public final class BatchNorm extends Module {
  /** {@code 0.999}: a horizon of about a thousand steps, Sonnet's default. */
  public static final double DEFAULT_DECAY_RATE = 0.999;

  /** {@code 1e-5}: as the other normalisations, small against unit variance. */
  public static final double DEFAULT_EPS = 1e-5;

  /** {@code null}: ones, so the layer starts as a plain normalisation. */
  public static final Initializer DEFAULT_SCALE_INIT = null;

  /** {@code null}: zeros, so the layer starts unshifted. */
  public static final Initializer DEFAULT_OFFSET_INIT = null;

  /** {@link DataFormat#CHANNELS_LAST}: the channels are the last axis, as in Sonnet and TF. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  final boolean createScale;
  final boolean createOffset;
  final double decayRate;
  final double eps;
  final Initializer scaleInit;
  final Initializer offsetInit;
  final DataFormat dataFormat;
  @Param Variable scale;
  @Param Variable offset;
  final MovingAverage movingMean;
  final MovingAverage movingVariance;
  private volatile int rank = -1;

  /** A batch norm with the default decay, eps and data format. */
  public BatchNorm(boolean createScale, boolean createOffset) {
    this(
        createScale,
        createOffset,
        DEFAULT_DECAY_RATE,
        DEFAULT_EPS,
        DEFAULT_SCALE_INIT,
        DEFAULT_OFFSET_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /**
   * Starts a batch norm with every other setting at its default, e.g. {@code
   * BatchNorm.builder(true, true).decayRate(0.9).build()}.
   *
   * @param createScale whether {@code scale} is trainable; required, as in Sonnet
   * @param createOffset whether {@code offset} is trainable; required, as in Sonnet
   */
  public static BatchNormBuilder builder(boolean createScale, boolean createOffset) {
    return new BatchNormBuilder(createScale, createOffset);
  }

  /** Every setting; called by {@link BatchNormBuilder}, which documents each and its default. */
  @Settings
  @SuppressWarnings("this-escape")
  BatchNorm(
      boolean createScale,
      boolean createOffset,
      double decayRate,
      double eps,
      Initializer scaleInit,
      Initializer offsetInit,
      DataFormat dataFormat,
      String name) {
    super(name);
    BatchNorms.checkSettings(
        "BatchNorm", createScale, scaleInit, createOffset, offsetInit, decayRate);
    this.createScale = createScale;
    this.createOffset = createOffset;
    this.decayRate = decayRate;
    this.eps = eps;
    this.scaleInit = scaleInit;
    this.offsetInit = offsetInit;
    this.dataFormat = NnSupport.required("BatchNorm", "dataFormat", dataFormat);
    this.movingMean = new MovingAverage(decayRate, "moving_mean");
    this.movingVariance = new MovingAverage(decayRate, "moving_variance");
  }

  /** The scale (always created; trainable only with {@code createScale}). */
  public Variable scale() {
    return scale;
  }

  /** The offset (always created; trainable only with {@code createOffset}). */
  public Variable offset() {
    return offset;
  }

  /** The moving average of the batch mean. */
  public MovingAverage movingMean() {
    return movingMean;
  }

  /** The moving average of the batch variance. */
  public MovingAverage movingVariance() {
    return movingVariance;
  }

  @Build
  void initialize(Tensor x) {
    Tensor zeros = BatchNorms.statisticsZeros(this, "BatchNorm", x, dataFormat);
    rank = x.rank();
    movingMean.initialize(zeros);
    movingVariance.initialize(zeros);
    int[] shape = Norms.paramShape(x, dataFormat);
    scale =
        variable(
            "scale",
            scaleInit != null ? scaleInit : Initializers.ones(),
            x.dtype(),
            Shape.of(shape),
            createScale);
    offset =
        variable(
            "offset",
            offsetInit != null ? offsetInit : Initializers.zeros(),
            x.dtype(),
            Shape.of(shape),
            createOffset);
  }

  /** {@link #call(Tensor, boolean, boolean)} with {@code testLocalStats} false. */
  public Tensor call(Tensor x, boolean isTraining) {
    return call(x, isTraining, false, null, null);
  }

  /** Normalises {@code x}; see the class comment for the flags. */
  public Tensor call(Tensor x, boolean isTraining, boolean testLocalStats) {
    return call(x, isTraining, testLocalStats, null, null);
  }

  /**
   * Normalises {@code x}, with a call-time {@code scale} / {@code offset} replacing the untrained
   * variables when {@code createScale} / {@code createOffset} is false (either may be null).
   *
   * @throws ModuleException if a scale (offset) is passed while the module learns its own
   */
  public Tensor call(
      Tensor x, boolean isTraining, boolean testLocalStats, Operand scale, Operand offset) {
    build(x);
    BatchNorms.checkCall(
        this,
        "BatchNorm",
        x,
        rank,
        dataFormat,
        this.scale,
        createScale,
        scale,
        createOffset,
        offset);
    int[] ax = BatchNorms.reductionAxes(dataFormat, rank);
    Tensor mean;
    Tensor variance;
    if (isTraining || testLocalStats) {
      mean = x.mean(true, ax);
      variance = x.variance(true, ax);
    } else {
      mean = movingMean.value();
      variance = movingVariance.value();
    }
    Operand s = createScale || scale == null ? this.scale : scale;
    Operand o = createOffset || offset == null ? this.offset : offset;
    Tensor y = Norms.normalize(x, mean, variance, eps, s, o);
    if (isTraining) {
      movingMean.update(mean);
      movingVariance.update(variance);
    }
    return y;
  }
}
