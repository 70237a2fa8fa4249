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
import java.util.Arrays;

/**
 * Group normalisation (Wu &amp; He, 2018): the channels are split into {@code groups} groups and
 * each group of each example is normalised over {@code axis}: {@code y = (x - mean_g) / sqrt(var_g
 * + eps) * scale + offset}.
 *
 * <p><b>Shapes.</b> Input {@code [batch, ..., C]} (or channels-first) with {@code C} divisible by
 * {@code groups}; output the same. The moments are taken over {@code axis} with the channel axis
 * standing for the channels within a group; never across groups.
 *
 * <p><b>Variables:</b> {@code scale} (ones) and {@code offset} (zeros), {@code [C]} (or {@code [C,
 * 1, ...]} channels-first), by default both created.
 *
 * <pre>{@code
 * var gn = new GroupNorm(4);
 * Tensor y = gn.call(Tensor.zeros(DType.FLOAT32, 2, 8, 8, 16));   // 4 groups of 4 channels
 * }</pre>
 */
public final class GroupNorm extends Module implements Layer {
  /**
   * {@code null}: every non-batch axis (Sonnet's {@code slice(1, None)}), chosen on the first call
   * when the input's rank is known.
   */
  public static final int[] DEFAULT_AXIS = null;

  /** {@code true}: unlike LayerNorm, Sonnet learns a scale by default here. */
  public static final boolean DEFAULT_CREATE_SCALE = true;

  /** {@code true}: and an offset, so the layer can undo the normalisation. */
  public static final boolean DEFAULT_CREATE_OFFSET = true;

  /** {@code 1e-5}: as the other normalisations, small against unit variance. */
  public static final double DEFAULT_EPS = 1e-5;

  /** {@code null}: ones, so the layer starts as a plain normalisation. */
  public static final Initializer DEFAULT_SCALE_INIT = null;

  /** {@code null}: zeros, so the layer starts unshifted. */
  public static final Initializer DEFAULT_OFFSET_INIT = null;

  /** {@link DataFormat#CHANNELS_LAST}: the groups split the last axis, as in Sonnet. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  final int groups;
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

  /** A group norm over all non-batch axes with a learned scale and offset. */
  public GroupNorm(int groups) {
    this(
        groups,
        DEFAULT_AXIS,
        DEFAULT_CREATE_SCALE,
        DEFAULT_CREATE_OFFSET,
        DEFAULT_EPS,
        DEFAULT_SCALE_INIT,
        DEFAULT_OFFSET_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /**
   * Starts a group norm with every other setting at its default, e.g. {@code
   * GroupNorm.builder(2).createScale(false).eps(1e-3).build()}.
   *
   * @param groups the number of channel groups, at least 1; must divide the channels
   */
  public static GroupNormBuilder builder(int groups) {
    return new GroupNormBuilder(groups);
  }

  /** Every setting; called by {@link GroupNormBuilder}, which documents each and its default. */
  @Settings
  GroupNorm(
      int groups,
      int[] axis,
      boolean createScale,
      boolean createOffset,
      double eps,
      Initializer scaleInit,
      Initializer offsetInit,
      DataFormat dataFormat,
      String name) {
    super(name);
    if (groups < 1) {
      throw new IllegalArgumentException("GroupNorm: groups must be >= 1, got " + groups);
    }
    if (!createScale && scaleInit != null) {
      throw new IllegalArgumentException(
          "GroupNorm: when createScale is false, scaleInit must" + " be null");
    }
    if (!createOffset && offsetInit != null) {
      throw new IllegalArgumentException(
          "GroupNorm: when createOffset is false, offsetInit must" + " be null");
    }
    this.groups = groups;
    this.axis = axis == null ? null : axis.clone();
    this.createScale = createScale;
    this.createOffset = createOffset;
    this.eps = eps;
    this.scaleInit = scaleInit;
    this.offsetInit = offsetInit;
    this.dataFormat = NnSupport.required("GroupNorm", "dataFormat", dataFormat);
  }

  /** The learned scale, or null. */
  public Variable scale() {
    return scale;
  }

  /** The learned offset, or null. */
  public Variable offset() {
    return offset;
  }

  @Build
  void initialize(Tensor x) {
    if (x.rank() < 2) {
      throw new ShapeException(
          "GroupNorm '" + path() + "': input " + x.shape() + " needs rank >= 2");
    }
    int c = x.dim(dataFormat.channelAxis(x.rank()));
    if (c % groups != 0) {
      throw new ShapeException(
          "GroupNorm '"
              + path()
              + "': input "
              + x.shape()
              + " has "
              + c
              + " channels, not divisible into "
              + groups
              + " groups; use a number of groups that"
              + " divides "
              + c);
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

  /** Normalises, with a call-time scale or offset for a module that does not learn them. */
  public Tensor call(Tensor x, Operand scale, Operand offset) {
    build(x);
    if (x.rank() != rank) {
      throw new ShapeException(
          "GroupNorm '"
              + path()
              + "': input "
              + x.shape()
              + " has rank "
              + x.rank()
              + " but the module was built for rank "
              + rank);
    }
    if ((createScale && scale != null) || (createOffset && offset != null)) {
      throw new ModuleException(
          "GroupNorm '"
              + path()
              + "' learns its own scale and offset;"
              + " pass them to call only when createScale/createOffset are false");
    }
    int ch = dataFormat.channelAxis(rank);
    int c = x.dim(ch);
    if (c % groups != 0) {
      throw new ShapeException(
          "GroupNorm '"
              + path()
              + "': input "
              + x.shape()
              + " has "
              + c
              + " channels, not divisible into "
              + groups
              + " groups");
    }
    int[] dims = x.shape().dims();
    int[] grouped = new int[rank + 1];
    for (int i = 0, j = 0; i < rank; i++) {
      if (i == ch) {
        grouped[j++] = groups;
        grouped[j++] = c / groups;
      } else {
        grouped[j++] = dims[i];
      }
    }
    int[] ax;
    if (axis == null) {
      ax = new int[rank - 1];
      for (int i = 1; i < rank; i++) {
        ax[i - 1] = i;
      }
    } else {
      ax = Norms.normalize(this, axis, rank);
    }
    int[] remapped = new int[ax.length];
    for (int i = 0; i < ax.length; i++) {
      remapped[i] = ax[i] < ch ? ax[i] : ax[i] + 1;
    }
    Arrays.sort(remapped);
    Tensor g = x.reshape(grouped);
    Tensor mean = g.mean(true, remapped);
    Tensor variance = g.variance(true, remapped);
    Tensor y = g.sub(mean).mul(variance.add(eps).rsqrt()).reshape(dims);
    Operand s = createScale ? this.scale : scale;
    Operand o = createOffset ? this.offset : offset;
    if (s != null) {
      y = y.mul(s);
    }
    return o != null ? y.add(o) : y;
  }
}
