package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * Layer normalisation (Ba et al., 2016): {@code y = (x - mean) / sqrt(var + eps) * scale + offset},
 * the moments taken over {@code axis} of each example.
 *
 * <p><b>Shapes.</b> Output shape = input shape. The rank must not change between calls.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code scale} (with {@code
 * createScale}, ones by default) and {@code offset} (with {@code createOffset}, zeros by default),
 * of the channel shape only: {@code [C]} channels-last, {@code [C, 1, ...]} channels-first (as in
 * Sonnet, not the normalised shape). Without them, a scale and offset may be passed to {@link
 * #call(Tensor, Operand, Operand)} (conditional normalisation).
 *
 * <pre>{@code
 * var ln = new LayerNorm(new int[] {-1}, true, true);
 * var conditional = LayerNorm.builder(false, false, -1).eps(1e-3).build();
 * Tensor y = ln.call(x);   // each row of x: mean 0, variance 1, then scaled and shifted
 * }</pre>
 *
 * <p>{@code eps} is added to the variance, as TensorFlow's {@code batch_normalization} does.
 */
public class LayerNorm extends Module implements Layer {
  /** {@code 1e-5}: small against unit variance, large enough to avoid dividing by zero. */
  public static final double DEFAULT_EPS = 1e-5;

  /** Channels-last: the scale and offset are per last-axis channel. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  /** {@code null}: ones, so the module starts as a plain normalisation; null without a scale. */
  public static final Initializer DEFAULT_SCALE_INIT = null;

  /** {@code null}: zeros, so the module starts unshifted; null without an offset. */
  public static final Initializer DEFAULT_OFFSET_INIT = null;

  final int[] axis;
  final boolean createScale;
  final boolean createOffset;
  final double eps;
  final Initializer scaleInit;
  final Initializer offsetInit;
  final DataFormat dataFormat;
  @Param Variable scale;
  @Param Variable offset;
  private volatile int rank = -1;

  /** A layer norm over {@code axis}, with the default eps and channels-last. */
  public LayerNorm(int[] axis, boolean createScale, boolean createOffset) {
    this(
        axis,
        createScale,
        createOffset,
        DEFAULT_EPS,
        DEFAULT_SCALE_INIT,
        DEFAULT_OFFSET_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /**
   * Starts a layer norm with every other setting at its default, e.g. a conditional one whose scale
   * and offset are passed to {@link #call(Tensor, Operand, Operand)}: {@code
   * LayerNorm.builder(false, false, -1).eps(1e-3).build()}.
   *
   * @param createScale whether to learn {@code scale}; required, as in Sonnet
   * @param createOffset whether to learn {@code offset}; required, as in Sonnet
   * @param axis the axes the moments are taken over (negative counts from the end); required, as in
   *     Sonnet, e.g. {@code -1} for the features or {@code 1, 2, 3} for an image
   */
  public static LayerNormBuilder builder(boolean createScale, boolean createOffset, int... axis) {
    return new LayerNormBuilder(axis, createScale, createOffset);
  }

  /**
   * Every setting; called by {@link LayerNormBuilder}, which documents each and its default. {@code
   * scaleInit} must be null when {@code createScale} is false, {@code offsetInit} when {@code
   * createOffset} is, and {@code eps > 0}.
   */
  @Settings
  LayerNorm(
      int[] axis,
      boolean createScale,
      boolean createOffset,
      double eps,
      Initializer scaleInit,
      Initializer offsetInit,
      DataFormat dataFormat,
      String name) {
    super(name);
    String cls = getClass().getSimpleName();
    if (axis == null && getClass() == LayerNorm.class) {
      throw new IllegalArgumentException("LayerNorm: axis is required, e.g. new int[] {-1}");
    }
    if (axis != null && axis.length == 0) {
      throw new IllegalArgumentException(cls + ": axis needs at least one axis");
    }
    if (!createScale && scaleInit != null) {
      throw new IllegalArgumentException(
          cls
              + ": when createScale is false, scaleInit must be"
              + " null (there is no scale to initialise)");
    }
    if (!createOffset && offsetInit != null) {
      throw new IllegalArgumentException(
          cls
              + ": when createOffset is false, offsetInit must be"
              + " null (there is no offset to initialise)");
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException(cls + ": eps must be > 0, got " + eps);
    }
    this.axis = axis == null ? null : axis.clone();
    this.createScale = createScale;
    this.createOffset = createOffset;
    this.eps = eps;
    this.scaleInit = scaleInit;
    this.offsetInit = offsetInit;
    this.dataFormat = NnSupport.required(cls, "dataFormat", dataFormat);
  }

  /** The axes the moments are taken over for an input of {@code rank}. */
  int[] axes(int rank) {
    return Norms.normalize(this, axis, rank);
  }

  /** The learned scale, or null (before the first call, or without {@code createScale}). */
  public Variable scale() {
    return scale;
  }

  /** The learned offset, or null (before the first call, or without {@code createOffset}). */
  public Variable offset() {
    return offset;
  }

  @Build
  void initialize(Tensor x) {
    if (x.rank() < 2) {
      throw new ShapeException(
          getClass().getSimpleName()
              + " '"
              + path()
              + "': input "
              + x.shape()
              + " needs rank >= 2 ([batch, ...])");
    }
    rank = x.rank();
    int[] shape = Norms.paramShape(x, dataFormat);
    if (createScale) {
      scale =
          variable("scale", scaleInit != null ? scaleInit : Initializers.ones(), x.dtype(), shape);
    }
    if (createOffset) {
      offset =
          variable(
              "offset", offsetInit != null ? offsetInit : Initializers.zeros(), x.dtype(), shape);
    }
  }

  @Override
  public Tensor call(Tensor x) {
    return call(x, null, null);
  }

  /**
   * Normalises {@code x}, scaling by {@code scale} and shifting by {@code offset} when the module
   * does not learn them (either may be null).
   *
   * @throws ModuleException if a scale (offset) is passed to a module that learns its own
   */
  public Tensor call(Tensor x, Operand scale, Operand offset) {
    build(x);
    if (x.rank() != rank) {
      throw new ShapeException(
          getClass().getSimpleName()
              + " '"
              + path()
              + "': input "
              + x.shape()
              + " has rank "
              + x.rank()
              + " but the module was built for rank "
              + rank
              + "; the rank may not change between calls");
    }
    if (createScale && scale != null) {
      throw new ModuleException(
          getClass().getSimpleName()
              + " '"
              + path()
              + "' learns its own"
              + " scale (createScale=true), so none may be passed to call");
    }
    if (createOffset && offset != null) {
      throw new ModuleException(
          getClass().getSimpleName()
              + " '"
              + path()
              + "' learns its own"
              + " offset (createOffset=true), so none may be passed to call");
    }
    int[] ax = axes(x.rank());
    Tensor mean = x.mean(true, ax);
    Tensor variance = x.variance(true, ax);
    return Norms.normalize(
        x,
        mean,
        variance,
        eps,
        createScale ? this.scale : scale,
        createOffset ? this.offset : offset);
  }
}
