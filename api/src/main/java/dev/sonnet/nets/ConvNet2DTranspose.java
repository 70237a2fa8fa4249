package dev.sonnet.nets;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2DTranspose;
import dev.sonnet.nn.Pad;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Sonnet 1's stack of transposed 2-D convolutions ({@code snt.nets.ConvNet2DTranspose}), the
 * decoder half of a convolutional auto-encoder: {@code Conv2DTranspose -> [BatchNorm] ->
 * activation} per layer, the last layer neither normalized nor activated by default. Settings and
 * the per-layer rule (length 1 means every layer) are those of {@link ConvNet2D}, plus {@code
 * outputShapes}.
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, channels]} (or channels-first); each
 * layer's output spatial shape is its entry of {@code outputShapes} ({@code [height, width]}), or
 * when {@code outputShapes} is null the transposed convolution's default ({@code input * stride}
 * with {@code SAME} padding).
 *
 * <p><b>Variables:</b> {@code conv_2d_transpose_i/{w,b}} per layer ({@code w} is {@code [k, k, out,
 * in]}), and {@code batch_norm_i/...} as in {@link ConvNet2D}.
 *
 * <pre>{@code
 * var decoder = ConvNet2DTranspose.builder(new int[] {16, 1}, new int[] {3}).strides(2).build();
 * Tensor image = decoder.call(code);                     // [batch, 4h, 4w, 1]
 * }</pre>
 */
public final class ConvNet2DTranspose extends Module implements Layer {
  /** {@code null}: each layer's default output shape, its input's times its stride. */
  public static final List<List<Integer>> DEFAULT_OUTPUT_SHAPES = null;

  /** {@code 1} for every layer. */
  public static final List<Integer> DEFAULT_STRIDES = List.of(1);

  /** {@code SAME} for every layer. */
  public static final List<Pad> DEFAULT_PADDINGS = List.of(Pad.SAME);

  /** {@code relu}. */
  public static final Layer DEFAULT_ACTIVATION = ConvNet2D.DEFAULT_ACTIVATION;

  /** {@code false}: the last layer's output is left unactivated. */
  public static final boolean DEFAULT_ACTIVATE_FINAL = false;

  /** {@code null}: the same as {@code activateFinal}. */
  public static final Boolean DEFAULT_NORMALIZE_FINAL = null;

  /** {@code false}: no normalization. */
  public static final boolean DEFAULT_USE_BATCH_NORM = false;

  /** Sonnet 1's {@code snt.BatchNorm()} defaults, as in {@link ConvNet2D}. */
  public static final BatchNormConfig DEFAULT_BATCH_NORM_CONFIG =
      ConvNet2D.DEFAULT_BATCH_NORM_CONFIG;

  /** {@code true}: every layer has a bias. */
  public static final boolean DEFAULT_USE_BIAS = true;

  /** {@code null}: each layer's own default. */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** Channels-last ({@code NHWC}). */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  final int[] outputChannels;
  final int[] kernelShapes;
  final List<List<Integer>> outputShapes;
  final int[] strides;
  final List<Pad> paddings;
  final Layer activation;
  final boolean activateFinal;
  final Boolean normalizeFinal;
  final boolean useBatchNorm;
  final BatchNormConfig batchNormConfig;
  final boolean useBias;
  final Initializer wInit;
  final Initializer bInit;
  final DataFormat dataFormat;
  final List<Conv2DTranspose> layers;
  final List<BatchNorm> batchNorms;

  /**
   * Starts a net with {@code outputChannels.length} layers, every other setting at its default.
   *
   * @param outputChannels each layer's output channels, first to last
   * @param kernelShapes each layer's (square) kernel size, or one for every layer
   */
  public static ConvNet2DTransposeBuilder builder(int[] outputChannels, int[] kernelShapes) {
    return new ConvNet2DTransposeBuilder(outputChannels, kernelShapes);
  }

  /** Every setting; called by {@link ConvNet2DTransposeBuilder}, which documents each default. */
  @SuppressWarnings("this-escape")
  @Settings
  ConvNet2DTranspose(
      int[] outputChannels,
      int[] kernelShapes,
      List<List<Integer>> outputShapes,
      int[] strides,
      List<Pad> paddings,
      Layer activation,
      boolean activateFinal,
      Boolean normalizeFinal,
      boolean useBatchNorm,
      BatchNormConfig batchNormConfig,
      boolean useBias,
      Initializer wInit,
      Initializer bInit,
      DataFormat dataFormat,
      String name) {
    super(name == null ? "conv_net_2d_transpose" : name);
    String net = "ConvNet2DTranspose";
    this.outputChannels = ConvNets.outputChannels(net, outputChannels);
    int n = this.outputChannels.length;
    this.kernelShapes = ConvNets.perLayer(net, "kernelShapes", kernelShapes, n);
    this.outputShapes =
        outputShapes == null ? null : ConvNets.perLayer(net, "outputShapes", outputShapes, n);
    if (this.outputShapes != null) {
      for (List<Integer> s : this.outputShapes) {
        if (s.size() != 2 || s.get(0) < 1 || s.get(1) < 1) {
          throw new IllegalArgumentException(
              net + ": each output shape must be [height, width], both >= 1; got " + s);
        }
      }
    }
    this.strides = ConvNets.perLayer(net, "strides", strides, n);
    this.paddings = ConvNets.paddings(net, paddings, n);
    if (activation == null || batchNormConfig == null || dataFormat == null) {
      throw new IllegalArgumentException(
          net
              + ": activation, batchNormConfig and dataFormat must not be null; leave them unset"
              + " for their defaults (Layers.identity() for no activation)");
    }
    if (!useBias && bInit != null) {
      throw new IllegalArgumentException(net + ": bInit is given but useBias is false");
    }
    this.activation = activation;
    this.activateFinal = activateFinal;
    this.normalizeFinal = normalizeFinal;
    this.useBatchNorm = useBatchNorm;
    this.batchNormConfig = batchNormConfig;
    this.useBias = useBias;
    this.wInit = wInit;
    this.bInit = bInit;
    this.dataFormat = dataFormat;
    List<Conv2DTranspose> convs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var b =
          Conv2DTranspose.builder(this.outputChannels[i], this.kernelShapes[i])
              .stride(this.strides[i])
              .padding(this.paddings.get(i))
              .withBias(useBias)
              .wInit(wInit)
              .bInit(bInit)
              .dataFormat(dataFormat)
              .name("conv_2d_transpose_" + i);
      if (this.outputShapes != null) {
        b.outputShape(this.outputShapes.get(i).get(0), this.outputShapes.get(i).get(1));
      }
      convs.add(b.build());
    }
    this.layers = List.copyOf(convs);
    boolean normFinal = normalizeFinal == null ? activateFinal : normalizeFinal;
    this.batchNorms = useBatchNorm ? ConvNets.batchNorms(batchNormConfig, n, normFinal) : List.of();
  }

  /** The transposed convolutions, first to last. */
  public List<Conv2DTranspose> layers() {
    return layers;
  }

  /** Runs the net; without batch norm only (otherwise use {@link #call(Tensor, boolean)}). */
  @Override
  public Tensor call(Tensor x) {
    return ConvNets.forward(
        path(), layers, batchNorms, activation, activateFinal, normFinal(), null, false, x);
  }

  /** Runs the net; {@code isTraining} goes to every batch norm. */
  public Tensor call(Tensor x, boolean isTraining) {
    return call(x, isTraining, false);
  }

  /** Runs the net; see {@link ConvNet2D#call(Tensor, boolean, boolean)}. */
  public Tensor call(Tensor x, boolean isTraining, boolean testLocalStats) {
    return ConvNets.forward(
        path(),
        layers,
        batchNorms,
        activation,
        activateFinal,
        normFinal(),
        isTraining,
        testLocalStats,
        x);
  }

  private boolean normFinal() {
    return normalizeFinal == null ? activateFinal : normalizeFinal;
  }
}
