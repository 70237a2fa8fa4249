package dev.sonnet.nn;

import dev.sonnet.autodiff.Gradients;
import dev.sonnet.distribute.ReplicaContext;
import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * Batch normalisation whose batch statistics are taken over every replica's batch (Sonnet 2's
 * {@code snt.distribute.CrossReplicaBatchNorm}): inside a {@link dev.sonnet.distribute.Replicator}
 * step, the per-channel sums of {@code x} and {@code x^2} and the element counts of all replicas
 * are added with one all-reduce, so every replica normalises with the moments of the global batch,
 * exactly as one replica would on the concatenated batch. Outside a replicated step (or with one
 * replica) it is a batch norm over the local batch.
 *
 * <p>The all-reduce is differentiable: its gradient is the all-reduce of the replicas' incoming
 * gradients, so each replica's gradient includes how its inputs moved the statistics every other
 * replica used, and the all-reduced gradients equal those of one replica on the whole batch. Every
 * replica must therefore call it the same number of times per step, and compute its gradient.
 *
 * <p><b>Moments.</b> {@code mean = sum(x) / n} and {@code var = sum(x^2) / n - mean^2} (biased), as
 * Sonnet computes them from the all-reduced sums; a variance that rounding makes slightly negative
 * (a channel with nearly constant values) is clamped at 0, so {@code eps} keeps the division
 * finite. Everything else (flags, variables, moving averages, defaults, shapes) is as in {@link
 * BatchNorm}; the moving averages stay equal across replicas, since every replica updates them with
 * the same global moments.
 *
 * <pre>{@code
 * var bn = new CrossReplicaBatchNorm(true, true);
 * replicator.run((ctx, x) -> bn.call(x, true), replicator.split(batch));  // global moments
 * }</pre>
 */
public final class CrossReplicaBatchNorm extends Module {
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
  public CrossReplicaBatchNorm(boolean createScale, boolean createOffset) {
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
   * CrossReplicaBatchNorm.builder(true, true).decayRate(0.9).build()}.
   *
   * @param createScale whether {@code scale} is trainable; required, as in Sonnet
   * @param createOffset whether {@code offset} is trainable; required, as in Sonnet
   */
  public static CrossReplicaBatchNormBuilder builder(boolean createScale, boolean createOffset) {
    return new CrossReplicaBatchNormBuilder(createScale, createOffset);
  }

  /**
   * Every setting; called by {@link CrossReplicaBatchNormBuilder}, which documents each and its
   * default.
   */
  @Settings
  @SuppressWarnings("this-escape")
  CrossReplicaBatchNorm(
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
        "CrossReplicaBatchNorm", createScale, scaleInit, createOffset, offsetInit, decayRate);
    this.createScale = createScale;
    this.createOffset = createOffset;
    this.decayRate = decayRate;
    this.eps = eps;
    this.scaleInit = scaleInit;
    this.offsetInit = offsetInit;
    this.dataFormat = NnSupport.required("CrossReplicaBatchNorm", "dataFormat", dataFormat);
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
    Tensor zeros = BatchNorms.statisticsZeros(this, "CrossReplicaBatchNorm", x, dataFormat);
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
        "CrossReplicaBatchNorm",
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
      Tensor[] moments = globalMoments(x, ax);
      mean = moments[0];
      variance = moments[1];
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

  /**
   * The mean and biased variance over every replica's batch: one all-reduce of the local sums of
   * {@code x} and {@code x^2} and of the local count, stacked along a new leading block of axis 0.
   */
  private Tensor[] globalMoments(Tensor x, int[] ax) {
    Tensor sum = x.sum(true, ax);
    Tensor squares = x.square().sum(true, ax);
    double localCount = (double) x.size() / sum.size();
    Tensor count = Tensor.full(x.backend(), x.dtype(), sum.shape(), localCount);
    Tensor stats = ShapeOps.concat(0, sum, squares, count);
    ReplicaContext context = ReplicaContext.current();
    if (context != null && context.numReplicas() > 1) {
      stats = context.allReduceDifferentiable(stats);
    }
    List<Tensor> parts = ShapeOps.split(stats, 3, 0);
    // The count is a constant on every replica, so no gradient flows into it.
    Tensor n = Gradients.stop(parts.get(2));
    Tensor mean = parts.get(0).div(n);
    Tensor variance = parts.get(1).div(n).sub(mean.square()).maximum(0);
    return new Tensor[] {mean, variance};
  }
}
