package dev.sonnet.nets;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Pad;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sonnet 1's configurable stack of 2-D convolutions ({@code snt.nets.ConvNet2D}): {@code Conv2D ->
 * [BatchNorm] -> activation} per layer, where by default the last layer is neither normalized nor
 * activated (its output is usually logits or features for another head).
 *
 * <p><b>Per-layer settings.</b> {@code kernelShapes}, {@code strides}, {@code paddings} and {@code
 * rates} hold one value per layer, or one value for every layer (Sonnet's rule: a list of length 1
 * is repeated). Kernels are square.
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, channels]} (or channels-first); output
 * {@code [batch, height', width', outputChannels[last]]}, the spatial size given by each layer's
 * stride and padding.
 *
 * <p><b>Variables:</b> {@code conv_2d_i/{w,b}} per layer (no {@code b} without {@code useBias}),
 * and with {@code useBatchNorm} {@code batch_norm_i/...} after every layer but the last (the last
 * too with {@code normalizeFinal}). Names as in Sonnet 1, so a TensorFlow 1 checkpoint of a {@code
 * conv_net_2d} restores by name.
 *
 * <pre>{@code
 * var net = ConvNet2D.builder(new int[] {16, 32, 10}, new int[] {3}).strides(1, 2, 1).build();
 * Tensor logits = net.call(images);                        // [batch, h/2, w/2, 10]
 * var bn = ConvNet2D.builder(new int[] {8, 8}, new int[] {3}).useBatchNorm(true).build();
 * Tensor y = bn.call(images, true);                        // batch norm needs isTraining
 * }</pre>
 */
public final class ConvNet2D extends Module implements Layer {
  /** {@code 1} for every layer. */
  public static final List<Integer> DEFAULT_STRIDES = List.of(1);

  /** {@code SAME} for every layer: the spatial size only changes with the stride. */
  public static final List<Pad> DEFAULT_PADDINGS = List.of(Pad.SAME);

  /** {@code 1} for every layer: no dilation. */
  public static final List<Integer> DEFAULT_RATES = List.of(1);

  /** {@code relu}, Sonnet's default. */
  public static final Layer DEFAULT_ACTIVATION = Layers.relu();

  /** {@code false}: the last layer's output is left unactivated. */
  public static final boolean DEFAULT_ACTIVATE_FINAL = false;

  /**
   * {@code null}: the same as {@code activateFinal}, which is what Sonnet 1 did when it was not
   * given (with a deprecation warning).
   */
  public static final Boolean DEFAULT_NORMALIZE_FINAL = null;

  /** {@code false}: no normalization, as in Sonnet. */
  public static final boolean DEFAULT_USE_BATCH_NORM = false;

  /**
   * Sonnet 1's {@code snt.BatchNorm()} defaults: decay 0.999, eps 1e-3, a learned offset and no
   * scale (the following activation or convolution can absorb a scale).
   */
  public static final BatchNormConfig DEFAULT_BATCH_NORM_CONFIG =
      new BatchNormConfig(0.999, 1e-3, false, true);

  /** {@code true}: every convolution has a bias, as in Sonnet. */
  public static final boolean DEFAULT_USE_BIAS = true;

  /** {@code null}: each convolution's own default, a truncated normal scaled by the fan-in. */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** Channels-last ({@code NHWC}). */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  final int[] outputChannels;
  final int[] kernelShapes;
  final int[] strides;
  final List<Pad> paddings;
  final int[] rates;
  final Layer activation;
  final boolean activateFinal;
  final Boolean normalizeFinal;
  final boolean useBatchNorm;
  final BatchNormConfig batchNormConfig;
  final boolean useBias;
  final Initializer wInit;
  final Initializer bInit;
  final DataFormat dataFormat;
  final List<Conv2D> layers;
  final List<BatchNorm> batchNorms;

  /**
   * Starts a net with {@code outputChannels.length} layers, every other setting at its default.
   *
   * @param outputChannels each layer's output channels, first to last
   * @param kernelShapes each layer's (square) kernel size, or one for every layer
   */
  public static ConvNet2DBuilder builder(int[] outputChannels, int[] kernelShapes) {
    return new ConvNet2DBuilder(outputChannels, kernelShapes);
  }

  /** A net of {@code outputChannels.length} layers of {@code kernel x kernel} convolutions. */
  public ConvNet2D(int[] outputChannels, int kernel) {
    this(
        outputChannels,
        new int[] {kernel},
        ints(DEFAULT_STRIDES),
        DEFAULT_PADDINGS,
        ints(DEFAULT_RATES),
        DEFAULT_ACTIVATION,
        DEFAULT_ACTIVATE_FINAL,
        DEFAULT_NORMALIZE_FINAL,
        DEFAULT_USE_BATCH_NORM,
        DEFAULT_BATCH_NORM_CONFIG,
        DEFAULT_USE_BIAS,
        DEFAULT_W_INIT,
        DEFAULT_B_INIT,
        DEFAULT_DATA_FORMAT,
        null);
  }

  /** Every setting; called by {@link ConvNet2DBuilder}, which documents each and its default. */
  @SuppressWarnings("this-escape")
  @Settings
  ConvNet2D(
      int[] outputChannels,
      int[] kernelShapes,
      int[] strides,
      List<Pad> paddings,
      int[] rates,
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
    super(name == null ? "conv_net_2d" : name);
    String net = "ConvNet2D";
    this.outputChannels = ConvNets.outputChannels(net, outputChannels);
    int n = this.outputChannels.length;
    this.kernelShapes = ConvNets.perLayer(net, "kernelShapes", kernelShapes, n);
    this.strides = ConvNets.perLayer(net, "strides", strides, n);
    this.paddings = ConvNets.paddings(net, paddings, n);
    this.rates = ConvNets.perLayer(net, "rates", rates, n);
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
    List<Conv2D> convs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      convs.add(
          Conv2D.builder(this.outputChannels[i], this.kernelShapes[i])
              .stride(this.strides[i])
              .rate(this.rates[i])
              .padding(this.paddings.get(i))
              .withBias(useBias)
              .wInit(wInit)
              .bInit(bInit)
              .dataFormat(dataFormat)
              .name("conv_2d_" + i)
              .build());
    }
    this.layers = List.copyOf(convs);
    this.batchNorms =
        useBatchNorm ? ConvNets.batchNorms(batchNormConfig, n, normalizesFinal()) : List.of();
  }

  static int[] ints(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  private boolean normalizesFinal() {
    return normalizeFinal == null ? activateFinal : normalizeFinal;
  }

  /** The convolutions, first to last. */
  public List<Conv2D> layers() {
    return layers;
  }

  /** Each layer's output channels. */
  public List<Integer> outputChannels() {
    return Arrays.stream(outputChannels).boxed().toList();
  }

  /** Runs the net; without batch norm only (otherwise use {@link #call(Tensor, boolean)}). */
  @Override
  public Tensor call(Tensor x) {
    return ConvNets.forward(
        path(), layers, batchNorms, activation, activateFinal, normalizesFinal(), null, false, x);
  }

  /** Runs the net; {@code isTraining} goes to every batch norm (batch statistics when training). */
  public Tensor call(Tensor x, boolean isTraining) {
    return call(x, isTraining, false);
  }

  /**
   * Runs the net; with {@code testLocalStats}, evaluation ({@code isTraining} false) normalizes
   * with the batch's own statistics instead of the moving averages.
   */
  public Tensor call(Tensor x, boolean isTraining, boolean testLocalStats) {
    return ConvNets.forward(
        path(),
        layers,
        batchNorms,
        activation,
        activateFinal,
        normalizesFinal(),
        isTraining,
        testLocalStats,
        x);
  }
}
