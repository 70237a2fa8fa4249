package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Param;
import dev.sonnet.ops.ConvOptions;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.Arrays;
import java.util.List;

/**
 * The transposed convolution modules' common part ({@link Conv1DTranspose}, {@link
 * Conv2DTranspose}, {@link Conv3DTranspose}): the gradient of a convolution with respect to its
 * input, {@code y = conv_transpose(x, w) + b}, mapping a convolution's output shape back to its
 * input shape.
 *
 * <p><b>Shapes.</b> Input {@code [batch, spatial..., inChannels]} (or channels-first); output
 * {@code [batch, outputShape..., outputChannels]}. The default {@code outputShape} is the largest
 * consistent one: {@code in * stride} for SAME, {@code in * stride + kEff - 1} for VALID, with
 * {@code kEff = (k - 1) * rate + 1}.
 *
 * <p><b>Variables</b>: {@code w:[kernel..., outputChannels, inChannels]} (note the order, as in
 * TensorFlow), by default a truncated normal with standard deviation {@code 1 / sqrt(prod(kernel) *
 * outputChannels)}, the product of all but the last dimension of {@code w}, as in Sonnet; {@code
 * b:[outputChannels]}, zeros by default.
 */
public abstract class ConvNDTranspose extends Module implements Layer {
  /**
   * {@code null}: the largest spatial shape consistent with the input ({@code in * stride} for
   * SAME, {@code in * stride + kEff - 1} for VALID), chosen on the first call.
   */
  public static final int[] DEFAULT_OUTPUT_SHAPE = null;

  /** {@link Pad#SAME}, Sonnet's default: the output is {@code in * stride}. */
  public static final Pad DEFAULT_PADDING = Pad.SAME;

  /** {@code true}: a per-channel bias, as for convolutions. */
  public static final boolean DEFAULT_WITH_BIAS = true;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(prod(kernel) *
   * outputChannels)} (all but the last dimension of {@code w}, as Sonnet computes it).
   */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros; must stay null without a bias. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** {@link DataFormat#CHANNELS_LAST}, as in Sonnet and TensorFlow. */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  final int rank;
  final int outputChannels;
  final int[] kernel;
  final int[] spatialOutput;
  final int[] strides;
  final int[] rates;
  final Pad padding;
  final boolean withBias;
  final Initializer wInit;
  final Initializer bInit;
  final DataFormat dataFormat;
  @Param Variable w;
  @Param Variable b;
  private volatile int[] inputSpatial;
  private volatile int[] resolvedOutput;

  ConvNDTranspose(
      int rank,
      int outputChannels,
      int[] kernelShape,
      int[] outputShape,
      int[] stride,
      int[] rate,
      Pad padding,
      boolean withBias,
      Initializer wInit,
      Initializer bInit,
      DataFormat dataFormat,
      String name) {
    super(name);
    String cls = getClass().getSimpleName();
    NnSupport.checkConvArgs(cls, outputChannels, withBias, bInit);
    Pad p = NnSupport.required(cls, "padding", padding);
    if (!p.isString()) {
      throw new IllegalArgumentException(
          cls
              + ": padding must be Pad.SAME or Pad.VALID, not "
              + p
              + "; transposed convolutions take no padding functions (as in Sonnet)");
    }
    if (outputShape != null && outputShape.length != rank) {
      throw new IllegalArgumentException(
          cls
              + ": outputShape "
              + Arrays.toString(outputShape)
              + " must have "
              + rank
              + " entries, one per spatial dimension, or be left unset for"
              + " the default");
    }
    this.rank = rank;
    this.outputChannels = outputChannels;
    this.kernel = NnSupport.replicate(cls, "kernelShape", kernelShape, rank);
    this.spatialOutput = outputShape == null ? null : outputShape.clone();
    this.strides = NnSupport.replicateOrOne(cls, "stride", stride, rank);
    this.rates = NnSupport.replicateOrOne(cls, "rate", rate, rank);
    this.padding = p;
    this.withBias = withBias;
    this.wInit = wInit;
    this.bInit = bInit;
    this.dataFormat = NnSupport.required(cls, "dataFormat", dataFormat);
  }

  /** The number of output channels. */
  public final int outputChannels() {
    return outputChannels;
  }

  /** The kernel size per spatial dimension. */
  public final List<Integer> kernelShape() {
    return NnSupport.list(kernel);
  }

  /** The output spatial shape as given, or null for the default. */
  public final int[] outputShape() {
    return spatialOutput == null ? null : spatialOutput.clone();
  }

  /** The stride per spatial dimension. */
  public final List<Integer> stride() {
    return NnSupport.list(strides);
  }

  /** The dilation rate per spatial dimension. */
  public final List<Integer> rate() {
    return NnSupport.list(rates);
  }

  /** The padding, {@link Pad#SAME} or {@link Pad#VALID}. */
  public final Pad padding() {
    return padding;
  }

  /** The data format. */
  public final DataFormat dataFormat() {
    return dataFormat;
  }

  /** The weights {@code [kernel..., outputChannels, inChannels]}, or null before the first call. */
  public final Variable w() {
    return w;
  }

  /** The bias, or null before the first call or without a bias. */
  public final Variable b() {
    return b;
  }

  private String layout() {
    return NnSupport.convLayout(dataFormat, rank);
  }

  @Build
  void initialize(Tensor x) {
    NnSupport.requireRank(this, x, rank + 2, layout());
    int in = x.dim(dataFormat.channelAxis(x.rank()));
    int[] spatial = NnSupport.spatial(x.shape(), dataFormat);
    inputSpatial = spatial;
    if (spatialOutput != null) {
      resolvedOutput = spatialOutput.clone();
    } else {
      int[] out = new int[rank];
      for (int d = 0; d < rank; d++) {
        out[d] = spatial[d] * strides[d];
        if (padding.equals(Pad.VALID)) {
          out[d] += (kernel[d] - 1) * rates[d];
        }
      }
      resolvedOutput = out;
    }
    int[] shape = Arrays.copyOf(kernel, rank + 2);
    shape[rank] = outputChannels;
    shape[rank + 1] = in;
    Initializer wi =
        wInit != null
            ? wInit
            : Initializers.truncatedNormal(
                1 / Math.sqrt((double) NnSupport.product(kernel) * outputChannels));
    w = variable("w", wi, x.dtype(), shape);
    if (withBias) {
      b = variable("b", bInit != null ? bInit : Initializers.zeros(), x.dtype(), outputChannels);
    }
  }

  @Override
  public Tensor call(Tensor x) {
    build(x);
    NnSupport.requireRank(this, x, rank + 2, layout());
    NnSupport.requireDim(
        this, x, dataFormat.channelAxis(x.rank()), w.shape().dim(rank + 1), "channels");
    int[] spatial = NnSupport.spatial(x.shape(), dataFormat);
    if (!Arrays.equals(spatial, inputSpatial)) {
      throw new ShapeException(
          getClass().getSimpleName()
              + " '"
              + path()
              + "': input "
              + x.shape()
              + " has spatial shape "
              + Arrays.toString(spatial)
              + " but the module was"
              + " built for "
              + Arrays.toString(inputSpatial)
              + ", which fixed its output shape "
              + Arrays.toString(resolvedOutput)
              + "; use a new module for another input size");
    }
    ConvOptions options = NnSupport.convOptions(kernel, strides, rates, padding, dataFormat);
    Tensor y = Convolution.convTranspose(x, w, resolvedOutput, options);
    return withBias ? ConvND.addBias(y, b, dataFormat) : y;
  }

  /** The number of input channels, known once the module has been called. */
  public final int inputChannels() {
    if (w == null) {
      throw new NotBuiltException(
          getClass().getSimpleName()
              + " '"
              + name()
              + "' has no input"
              + " channels yet: they are read from the first input. Call the module once first.");
    }
    return w.shape().dim(rank + 1);
  }

  /**
   * The transpose: a convolution with its own variables mapping this module's outputs back to its
   * inputs' shape (output channels = this module's input channels), with the same kernel, stride
   * and padding, constructed on its first call and named {@code <name>_transpose}.
   */
  public Deferred<? extends ConvND> transpose() {
    return Deferred.of(
        name() + "_transpose",
        () ->
            ConvND.create(
                rank,
                inputChannels(),
                kernel,
                strides,
                padding,
                withBias,
                wInit,
                bInit,
                dataFormat));
  }

  static ConvNDTranspose create(
      int rank,
      int outputChannels,
      int[] kernel,
      int[] outputShape,
      int[] stride,
      Pad padding,
      boolean withBias,
      Initializer wInit,
      Initializer bInit,
      DataFormat format) {
    return switch (rank) {
      case 1 ->
          Conv1DTranspose.builder(outputChannels, kernel)
              .outputShape(outputShape)
              .stride(stride)
              .padding(padding)
              .withBias(withBias)
              .wInit(wInit)
              .bInit(bInit)
              .dataFormat(format)
              .build();
      case 2 ->
          Conv2DTranspose.builder(outputChannels, kernel)
              .outputShape(outputShape)
              .stride(stride)
              .padding(padding)
              .withBias(withBias)
              .wInit(wInit)
              .bInit(bInit)
              .dataFormat(format)
              .build();
      default ->
          Conv3DTranspose.builder(outputChannels, kernel)
              .outputShape(outputShape)
              .stride(stride)
              .padding(padding)
              .withBias(withBias)
              .wInit(wInit)
              .bInit(bInit)
              .dataFormat(format)
              .build();
    };
  }
}
