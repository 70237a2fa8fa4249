package dev.sonnet.ops;

import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Convolution and pooling over 1, 2 or 3 spatial dimensions, with TensorFlow's semantics ({@code
 * tf.nn.convolution}, {@code tf.nn.conv_transpose}, {@code tf.nn.max_pool}, {@code
 * tf.nn.avg_pool}), which Sonnet's {@code ConvND}, {@code ConvNDTranspose} and {@code
 * DepthwiseConv2D} modules are built on.
 *
 * <p><b>Layouts.</b> Inputs are {@code [batch, spatial..., channels]} ({@link
 * DataFormat#CHANNELS_LAST}, the default) or {@code [batch, channels, spatial...]}; the number of
 * spatial dimensions comes from the filters (or, for pooling, from the input's rank). Filters are
 * {@code [kernel..., in_channels / groups, out_channels]} for {@link #conv} and {@code [kernel...,
 * out_channels, in_channels]} for {@link #convTranspose}, whatever the data format.
 *
 * <p><b>Sizes.</b> See {@link Padding}: SAME gives {@code ceil(in / stride)} outputs, VALID gives
 * {@code floor((in - kEff) / stride) + 1} with the dilated kernel size {@code kEff = (k - 1) *
 * dilation + 1}.
 *
 * <p><b>Gradients</b> flow to the input and the filters; a convolution's gradients are themselves
 * convolutions, so derivatives of any order exist. So do pooling's: max pooling routes the gradient
 * to the first maximal element of each window (where the max is not differentiable, at ties, this
 * picks one subgradient, as TensorFlow does).
 *
 * <pre>{@code
 * Tensor x = ...;                                           // [8, 32, 32, 3]
 * Tensor w = ...;                                           // [3, 3, 3, 16]
 * Tensor y = Convolution.conv(x, w, ConvOptions.DEFAULT.withStride(2));   // [8, 16, 16, 16]
 * Tensor p = Convolution.maxPool(y, new int[] {2, 2});                    // [8, 8, 8, 16]
 * }</pre>
 */
public final class Convolution {
  private Convolution() {}

  // ---- convolution ---------------------------------------------------------------------------

  /** {@link #conv(Operand, Operand, ConvOptions)} with stride 1, SAME padding, channels-last. */
  public static Tensor conv(Operand input, Operand filters) {
    return conv(input, filters, ConvOptions.DEFAULT);
  }

  /**
   * An N-d convolution (cross-correlation, as in every deep-learning library): {@code y[b, o..., j]
   * = sum over k..., c of x[b, o * stride - padBefore + k * dilation, g * C/G + c] * w[k..., c, j]}
   * where {@code g = j / (O / G)} is the output channel's group.
   *
   * @param input {@code [batch, spatial..., C]} (or channels-first)
   * @param filters {@code [kernel..., C / groups, O]}; the number of groups is inferred as {@code C
   *     / filters.dim(-2)}, so filters with a single input channel per group on a {@code C}-channel
   *     input give a depthwise convolution; {@code O} must divide by the groups
   * @return {@code [batch, outSpatial..., O]} (or channels-first)
   * @throws ShapeException on a rank, channel or dtype mismatch, or an input smaller than the
   *     window
   */
  public static Tensor conv(Operand input, Operand filters, ConvOptions options) {
    ConvParams params = convParams(input, filters, options);
    Tensor x = toChannelsLast(input.asTensor(), options.dataFormat());
    Tensor y = Dispatch.run1(new ConvOp(params), x, filters.asTensor());
    return fromChannelsLast(y, options.dataFormat());
  }

  /**
   * {@code activation(conv(input, filters, options) + bias)}, with {@code bias} (one value per
   * output channel) null for none: the same value and gradient, bit for bit, as {@link
   * #conv(Operand, Operand, ConvOptions)} followed by {@code add(bias)} and {@code relu()},
   * computed as one {@link FusedConvOp} when {@link Fusion} is on and the data is channels-last
   * (the backend's direct kernel then adds the bias and takes the ReLU as it writes each output
   * line); otherwise those ops are dispatched. {@code Conv2D} (any {@code ConvND}) followed by
   * {@code Layers.relu()} in a {@code Sequential} comes here.
   *
   * @param activation {@link Activation#NONE} or {@link Activation#RELU}
   */
  public static Tensor conv(
      Operand input, Operand filters, Operand bias, ConvOptions options, Activation activation) {
    Objects.requireNonNull(activation, "activation");
    ConvParams params = convParams(input, filters, options);
    DataFormat format = options.dataFormat();
    if (Fusion.enabled() && format == DataFormat.CHANNELS_LAST) {
      UnaryKind kind = activation == Activation.RELU ? UnaryKind.RELU : null;
      FusedConvOp op = new FusedConvOp(params, bias != null, kind);
      return bias == null
          ? Dispatch.run1(op, input.asTensor(), filters.asTensor())
          : Dispatch.run1(op, input.asTensor(), filters.asTensor(), bias.asTensor());
    }
    Tensor x = toChannelsLast(input.asTensor(), format);
    Tensor y = Dispatch.run1(new ConvOp(params), x, filters.asTensor());
    if (bias != null) {
      y = y.add(bias);
    }
    if (activation == Activation.RELU) {
      y = y.relu();
    }
    return fromChannelsLast(y, format);
  }

  /** Checks a convolution's operands and options; its attributes (groups inferred). */
  private static ConvParams convParams(Operand input, Operand filters, ConvOptions options) {
    Operands.requireNonNull(input, "conv", 1);
    Operands.requireNonNull(filters, "conv", 2);
    Objects.requireNonNull(options, "options");
    Shape xs = input.shape();
    Shape ws = filters.shape();
    int n =
        ConvSupport.filterSpatialRank(
            "conv", ws, "[kernel..., in_channels / groups, out_channels]");
    String op = ConvSupport.name("conv", n);
    DataFormat format = options.dataFormat();
    ConvSupport.checkInputRank(op, xs, n, format, "filters " + ws);
    ConvSupport.checkFloating(op, "input", input.dtype(), "filters", filters.dtype());
    int channels = xs.dim(format.channelAxis(xs.rank()));
    int perGroup = ws.dim(-2);
    if (perGroup == 0 || channels % perGroup != 0) {
      int[] fix = ws.dims();
      fix[fix.length - 2] = channels;
      throw new ShapeException(
          op
              + ": input "
              + xs
              + " has "
              + channels
              + " channels but "
              + "filters "
              + ws
              + " expect "
              + perGroup
              + " per group, and "
              + channels
              + " is not a multiple of "
              + perGroup
              + "; filters are [kernel..., in_channels / "
              + "groups, out_channels], e.g. "
              + Arrays.toString(fix)
              + " for this input"
              + (format == DataFormat.CHANNELS_LAST && xs.dim(1) % Math.max(perGroup, 1) == 0
                  ? " (or, if the input is channels-first, pass ConvOptions.withDataFormat("
                      + "DataFormat.CHANNELS_FIRST))"
                  : ""));
    }
    int groups = channels / perGroup;
    ConvSupport.checkChannels(op, xs, channels, ws, groups);
    return resolve(op, ConvSupport.spatial(xs, format), ConvSupport.kernel(ws), options, groups);
  }

  /**
   * A depthwise convolution ({@code tf.nn.depthwise_conv2d}, generalised to 1 to 3 spatial
   * dimensions): each input channel is convolved with its own {@code multiplier} filters, and
   * output channel {@code c * multiplier + m} is input channel {@code c} with filter {@code m}.
   *
   * @param filters {@code [kernel..., C, multiplier]}
   * @return {@code [batch, outSpatial..., C * multiplier]} (or channels-first)
   */
  public static Tensor depthwiseConv(Operand input, Operand filters, ConvOptions options) {
    Operands.requireNonNull(input, "depthwiseConv", 1);
    Operands.requireNonNull(filters, "depthwiseConv", 2);
    Objects.requireNonNull(options, "options");
    Shape xs = input.shape();
    Shape ws = filters.shape();
    int n =
        ConvSupport.filterSpatialRank(
            "depthwise_conv", ws, "[kernel..., in_channels, channel_multiplier]");
    String op = ConvSupport.name("depthwise_conv", n);
    DataFormat format = options.dataFormat();
    ConvSupport.checkInputRank(op, xs, n, format, "filters " + ws);
    int channels = xs.dim(format.channelAxis(xs.rank()));
    if (ws.dim(-2) != channels) {
      throw new ShapeException(
          op
              + ": input "
              + xs
              + " has "
              + channels
              + " channels but "
              + "filters "
              + ws
              + " expect "
              + ws.dim(-2)
              + "; depthwise filters are [kernel..., "
              + "in_channels, channel_multiplier]");
    }
    int[] grouped = ws.dims();
    grouped[n] = 1;
    grouped[n + 1] = channels * ws.dim(-1);
    Tensor w = ShapeOps.reshape(filters, grouped);
    return conv(input, w, options);
  }

  /**
   * The transposed convolution ({@code tf.nn.conv_transpose}): the gradient of {@link #conv} with
   * respect to its input, mapping a conv's output shape back to its input shape. Each input
   * position scatters {@code filters}-weighted copies into a {@code stride}-spaced output.
   *
   * @param input {@code [batch, spatial..., inC]} (or channels-first)
   * @param filters {@code [kernel..., outC, inC]} (note the order: TensorFlow's layout, the filters
   *     of the convolution being transposed)
   * @param outputSpatialShape the output's spatial sizes, or null for the default: {@code in *
   *     stride} for SAME, {@code (in - 1) * stride + kEff} for VALID, {@code (in - 1) * stride +
   *     kEff - before - after} for explicit padding (the smallest consistent size). Any size whose
   *     convolution gives back {@code in} is accepted.
   * @return {@code [batch, outputSpatialShape..., outC]} (or channels-first)
   */
  public static Tensor convTranspose(
      Operand input, Operand filters, int[] outputSpatialShape, ConvOptions options) {
    Operands.requireNonNull(input, "convTranspose", 1);
    Operands.requireNonNull(filters, "convTranspose", 2);
    Objects.requireNonNull(options, "options");
    Shape xs = input.shape();
    Shape ws = filters.shape();
    int n =
        ConvSupport.filterSpatialRank(
            "conv_transpose", ws, "[kernel..., out_channels, in_channels]");
    String op = ConvSupport.name("conv", n) + "_transpose";
    DataFormat format = options.dataFormat();
    ConvSupport.checkInputRank(op, xs, n, format, "filters " + ws);
    ConvSupport.checkFloating(op, "input", input.dtype(), "filters", filters.dtype());
    int channels = xs.dim(format.channelAxis(xs.rank()));
    if (ws.dim(-1) != channels) {
      throw new ShapeException(
          op
              + ": input "
              + xs
              + " has "
              + channels
              + " channels but "
              + "filters "
              + ws
              + " expect "
              + ws.dim(-1)
              + "; transposed-convolution filters are "
              + "[kernel..., out_channels, in_channels], the input channels last");
    }
    int[] kernel = ConvSupport.kernel(ws);
    int[] in = ConvSupport.spatial(xs, format);
    int[] stride = options.stride(op, n);
    int[] dilation = options.dilation(op, n);
    Padding padding = options.padding();
    int[] out;
    if (outputSpatialShape == null) {
      out = defaultTransposeShape(op, in, kernel, stride, dilation, padding);
    } else {
      if (outputSpatialShape.length != n) {
        throw new ShapeException(
            op
                + ": output spatial shape "
                + Arrays.toString(outputSpatialShape)
                + " has "
                + outputSpatialShape.length
                + " dimensions but the filters "
                + ws
                + " have "
                + n
                + " spatial dimensions");
      }
      out = outputSpatialShape.clone();
    }
    ConvParams params = resolve(op, out, kernel, options, 1);
    int[] back = params.outSpatial(op, out, kernel);
    if (!Arrays.equals(back, in)) {
      throw new ShapeException(
          op
              + ": output spatial shape "
              + Arrays.toString(out)
              + " does not fit input "
              + xs
              + ": a convolution of "
              + Arrays.toString(out)
              + " with stride "
              + ConvOptions.format(stride)
              + ", kernel "
              + Arrays.toString(kernel)
              + " and "
              + padding
              + " padding gives "
              + Arrays.toString(back)
              + ", not "
              + Arrays.toString(in)
              + "; sizes that fit are "
              + fittingRanges(in, kernel, stride, dilation, params, padding)
              + ", or pass null for the default");
    }
    Tensor x = toChannelsLast(input.asTensor(), format);
    Tensor y = Dispatch.run1(new ConvBackpropInputOp(params, out), x, filters.asTensor());
    return fromChannelsLast(y, format);
  }

  /**
   * The spatial output sizes of {@link #conv} for an input of spatial sizes {@code inputSpatial}
   * and a kernel of {@code kernel}.
   */
  public static int[] outputSpatialShape(int[] inputSpatial, int[] kernel, ConvOptions options) {
    if (inputSpatial.length != kernel.length || kernel.length < 1 || kernel.length > 3) {
      throw new ShapeException(
          "conv: input spatial shape "
              + Arrays.toString(inputSpatial)
              + " and kernel "
              + Arrays.toString(kernel)
              + " need the same 1 to 3 dimensions");
    }
    String op = ConvSupport.name("conv", kernel.length);
    return resolve(op, inputSpatial, kernel, options, 1).outSpatial(op, inputSpatial, kernel);
  }

  // ---- pooling -------------------------------------------------------------------------------

  /** {@link #maxPool(Operand, int[], PoolOptions)} with strides equal to the window, VALID. */
  public static Tensor maxPool(Operand input, int[] window) {
    return maxPool(input, window, PoolOptions.DEFAULT);
  }

  /**
   * Max pooling: each output is the largest input in its window; padding is ignored. The gradient
   * goes to the first maximal element of each window (in row-major window order).
   *
   * @param input {@code [batch, spatial..., C]} (or channels-first) with 1 to 3 spatial dims
   * @param window the window's size: one value for every spatial dimension, or one per dimension
   */
  public static Tensor maxPool(Operand input, int[] window, PoolOptions options) {
    return pool(PoolKind.MAX, "max_pool", input, window, options);
  }

  /** {@link #avgPool(Operand, int[], PoolOptions)} with strides equal to the window, VALID. */
  public static Tensor avgPool(Operand input, int[] window) {
    return avgPool(input, window, PoolOptions.DEFAULT);
  }

  /**
   * Average pooling: each output is the mean of the inputs in its window, not counting padding
   * (TensorFlow's {@code avg_pool}), so border outputs of SAME pooling average fewer elements.
   *
   * @param input {@code [batch, spatial..., C]} (or channels-first) with 1 to 3 spatial dims
   * @param window the window's size: one value for every spatial dimension, or one per dimension
   */
  public static Tensor avgPool(Operand input, int[] window, PoolOptions options) {
    return pool(PoolKind.AVG, "avg_pool", input, window, options);
  }

  private static Tensor pool(
      PoolKind kind, String base, Operand input, int[] window, PoolOptions options) {
    Objects.requireNonNull(options, "options");
    Shape xs = input.shape();
    DataFormat format = options.dataFormat();
    int n = xs.rank() - 2;
    if (n < 1 || n > 3) {
      throw new ShapeException(
          base
              + ": input "
              + xs
              + " has rank "
              + xs.rank()
              + "; expected "
              + "[batch, spatial..., channels] (or channels-first) with 1 to 3 spatial dimensions"
              + " (rank 3 to 5)");
    }
    String op = ConvSupport.name(base, n);
    int[] win = ConvOptions.replicate(op, "window", ConvOptions.checkPositive("window", window), n);
    int[] stride = options.stride(op, win);
    int[] ones = new int[n];
    Arrays.fill(ones, 1);
    int[] in = ConvSupport.spatial(xs, format);
    int[][] pad = options.padding().resolve(op, in, win, stride, ones);
    for (int d = 0; d < n; d++) {
      if (pad[0][d] >= win[d] || pad[1][d] >= win[d]) {
        throw new ShapeException(
            op
                + ": padding "
                + options.padding()
                + " is not smaller than "
                + "the window "
                + Arrays.toString(win)
                + " along spatial dimension "
                + d
                + ", so some windows would hold only padding; use padding below "
                + win[d]);
      }
    }
    ConvParams params = new ConvParams(stride, ones, pad[0], pad[1], 1);
    Tensor x = toChannelsLast(input.asTensor(), format);
    Tensor y = Dispatch.run1(new PoolOp(kind, win, params), x);
    return fromChannelsLast(y, format);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static ConvParams resolve(
      String op, int[] in, int[] kernel, ConvOptions options, int groups) {
    int n = kernel.length;
    int[] stride = options.stride(op, n);
    int[] dilation = options.dilation(op, n);
    int[][] pad = options.padding().resolve(op, in, kernel, stride, dilation);
    return new ConvParams(stride, dilation, pad[0], pad[1], groups);
  }

  private static int[] defaultTransposeShape(
      String op, int[] in, int[] kernel, int[] stride, int[] dilation, Padding padding) {
    int n = in.length;
    int[] out = new int[n];
    int[] before = padding.before();
    int[] after = padding.after();
    if (padding.kind() == Padding.Kind.EXPLICIT && before.length != 1 && before.length != n) {
      throw new ShapeException(
          op
              + ": explicit padding has "
              + before.length
              + " (before, after) pairs but the input has "
              + n
              + " spatial dimensions");
    }
    for (int d = 0; d < n; d++) {
      long kEff = (long) (kernel[d] - 1) * dilation[d] + 1;
      long size =
          switch (padding.kind()) {
            case SAME -> (long) in[d] * stride[d];
            case VALID -> in[d] == 0 ? 0 : (long) (in[d] - 1) * stride[d] + kEff;
            case EXPLICIT ->
                in[d] == 0
                    ? 0
                    : (long) (in[d] - 1) * stride[d]
                        + kEff
                        - before[before.length == 1 ? 0 : d]
                        - after[after.length == 1 ? 0 : d];
          };
      if (size < 0 || size > Integer.MAX_VALUE) {
        throw new ShapeException(
            op
                + ": the default output size along spatial dimension "
                + d
                + " would be "
                + size
                + "; pass outputSpatialShape or reduce the padding");
      }
      out[d] = (int) size;
    }
    return out;
  }

  /** Describes, per dimension, the output sizes whose convolution gives {@code in}. */
  private static String fittingRanges(
      int[] in, int[] kernel, int[] stride, int[] dilation, ConvParams params, Padding padding) {
    StringBuilder sb = new StringBuilder("[");
    for (int d = 0; d < in.length; d++) {
      long kEff = (long) (kernel[d] - 1) * dilation[d] + 1;
      long lo;
      long hi;
      if (padding.kind() == Padding.Kind.SAME) {
        // ceil(size / stride) == in
        lo = (long) (in[d] - 1) * stride[d] + 1;
        hi = (long) in[d] * stride[d];
      } else {
        // floor((size + before + after - kEff) / stride) + 1 == in
        lo = (long) (in[d] - 1) * stride[d] + kEff - params.padBefore()[d] - params.padAfter()[d];
        hi = lo + stride[d] - 1;
      }
      sb.append(d == 0 ? "" : ", ").append(lo == hi ? Long.toString(lo) : lo + ".." + hi);
    }
    return sb.append(']').toString();
  }

  private static int[] toLastAxes(int rank) {
    int[] axes = new int[rank];
    axes[0] = 0;
    for (int i = 1; i < rank - 1; i++) {
      axes[i] = i + 1;
    }
    axes[rank - 1] = 1;
    return axes;
  }

  private static int[] toFirstAxes(int rank) {
    int[] axes = new int[rank];
    axes[0] = 0;
    axes[1] = rank - 1;
    for (int i = 2; i < rank; i++) {
      axes[i] = i - 1;
    }
    return axes;
  }

  private static Tensor toChannelsLast(Tensor x, DataFormat format) {
    return format == DataFormat.CHANNELS_FIRST ? ShapeOps.permute(x, toLastAxes(x.rank())) : x;
  }

  private static Tensor fromChannelsLast(Tensor y, DataFormat format) {
    return format == DataFormat.CHANNELS_FIRST ? ShapeOps.permute(y, toFirstAxes(y.rank())) : y;
  }
}
