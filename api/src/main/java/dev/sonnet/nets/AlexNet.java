package dev.sonnet.nets;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.Settings;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Dropout;
import dev.sonnet.nn.Linear;
import dev.sonnet.nn.Pad;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.PoolOptions;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Sonnet 1's AlexNet ({@code snt.nets.AlexNet}, {@code AlexNetFull}, {@code AlexNetMini}): five
 * VALID convolutions, each followed by a relu and three of them by a VALID max pool, then two fully
 * connected relu layers, optionally with dropout. It ends at the second fully connected layer's
 * activations (no logits layer: add a {@link Linear} for the classes).
 *
 * <table>
 *   <caption>The two modes (channels, kernel/stride, max pool window/stride)</caption>
 *   <tr><th>layer</th><th>{@link Mode#FULL}</th><th>{@link Mode#MINI}</th></tr>
 *   <tr><td>conv_0</td><td>96, 11/4, pool 3/2</td><td>48, 3/1, pool 3/1</td></tr>
 *   <tr><td>conv_1</td><td>256, 5/1, pool 3/2</td><td>128, 3/1, pool 3/1</td></tr>
 *   <tr><td>conv_2</td><td>384, 3/1</td><td>192, 3/1</td></tr>
 *   <tr><td>conv_3</td><td>384, 3/1</td><td>192, 3/1</td></tr>
 *   <tr><td>conv_4</td><td>256, 3/1, pool 3/2</td><td>128, 3/1, pool 3/1</td></tr>
 *   <tr><td>fc_0, fc_1</td><td>4096</td><td>1024</td></tr>
 * </table>
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, channels]} with height and width at least
 * {@link #minInputSize()} (195 for FULL, 17 for MINI); output {@code [batch, 4096]} (FULL) or
 * {@code [batch, 1024]} (MINI).
 *
 * <p><b>Batch norm and dropout.</b> With {@code useBatchNorm}, a {@link BatchNorm} follows each
 * convolution ({@code batch_norm}, {@code batch_norm_1}, ... as Sonnet 1 named them), and with
 * {@code bnOnFcLayers} each fully connected layer too (Sonnet warns that this is not recommended;
 * it is off by default, as in {@code AlexNetFull} and {@code AlexNetMini}). Dropout with {@code
 * dropoutRate} (Sonnet's {@code keep_prob = 1 - dropoutRate}) follows each fully connected layer's
 * relu while training. Either needs {@link #call(Tensor, boolean)}.
 *
 * <p><b>Variables:</b> {@code conv_i/{w,b}}, {@code fc_i/{w,b}}, and the batch norms'.
 *
 * <pre>{@code
 * var net = AlexNet.mini().build();                       // [batch, 17+, 17+, c] -> [batch, 1024]
 * var full = AlexNet.full().useBatchNorm(true).dropoutRate(0.5).dropoutSeed(1L).build();
 * Tensor features = full.call(images, true);
 * }</pre>
 */
public final class AlexNet extends Module implements Layer {
  /** The two sizes of Sonnet 1's AlexNet. */
  public enum Mode {
    /** The original dual-GPU network, for ImageNet-sized inputs (at least 195 x 195). */
    FULL,
    /** A small version for small images (at least 17 x 17). */
    MINI
  }

  /** {@code false}: no batch norm. */
  public static final boolean DEFAULT_USE_BATCH_NORM = false;

  /** Sonnet 1's {@code snt.BatchNorm()} defaults: decay 0.999, eps 1e-3, offset, no scale. */
  public static final BatchNormConfig DEFAULT_BATCH_NORM_CONFIG =
      ConvNet2D.DEFAULT_BATCH_NORM_CONFIG;

  /** {@code false}: no batch norm on the fully connected layers, as AlexNetFull/AlexNetMini. */
  public static final boolean DEFAULT_BN_ON_FC_LAYERS = false;

  /** {@code null}: each layer's own default (a truncated normal scaled by the fan-in). */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** {@code 0}: no dropout. */
  public static final double DEFAULT_DROPOUT_RATE = 0;

  /** {@code null}: no dropout generator; give a seed exactly when {@code dropoutRate > 0}. */
  public static final Long DEFAULT_DROPOUT_SEED = null;

  /** Per mode: {channels, kernel, stride, pool window (0: none), pool stride} per conv layer. */
  private static final int[][] FULL_CONVS = {
    {96, 11, 4, 3, 2}, {256, 5, 1, 3, 2}, {384, 3, 1, 0, 0}, {384, 3, 1, 0, 0}, {256, 3, 1, 3, 2}
  };

  private static final int[][] MINI_CONVS = {
    {48, 3, 1, 3, 1}, {128, 3, 1, 3, 1}, {192, 3, 1, 0, 0}, {192, 3, 1, 0, 0}, {128, 3, 1, 3, 1}
  };

  final Mode mode;
  final boolean useBatchNorm;
  final BatchNormConfig batchNormConfig;
  final boolean bnOnFcLayers;
  final Initializer wInit;
  final Initializer bInit;
  final double dropoutRate;
  final Long dropoutSeed;
  final List<Conv2D> convModules;
  final List<Linear> linearModules;
  final List<BatchNorm> convNorms;
  final List<BatchNorm> fcNorms;
  final List<Dropout> dropouts;
  private final int[][] convs;

  /** Starts the FULL network with every other setting at its default. */
  public static AlexNetBuilder full() {
    return new AlexNetBuilder(Mode.FULL).name("alex_net_full");
  }

  /** Starts the MINI network with every other setting at its default. */
  public static AlexNetBuilder mini() {
    return new AlexNetBuilder(Mode.MINI).name("alex_net_mini");
  }

  /** Starts a network of {@code mode} with every other setting at its default. */
  public static AlexNetBuilder builder(Mode mode) {
    return new AlexNetBuilder(mode);
  }

  /** Every setting; called by {@link AlexNetBuilder}, which documents each and its default. */
  @SuppressWarnings("this-escape")
  @Settings
  AlexNet(
      Mode mode,
      boolean useBatchNorm,
      BatchNormConfig batchNormConfig,
      boolean bnOnFcLayers,
      Initializer wInit,
      Initializer bInit,
      double dropoutRate,
      Long dropoutSeed,
      String name) {
    super(name == null ? "alex_net" : name);
    if (mode == null || batchNormConfig == null) {
      throw new IllegalArgumentException(
          "AlexNet: mode and batchNormConfig must not be null (Mode.FULL or Mode.MINI)");
    }
    if (!(dropoutRate >= 0 && dropoutRate < 1)) {
      throw new IllegalArgumentException(
          "AlexNet: dropoutRate must be in [0, 1), got " + dropoutRate);
    }
    if ((dropoutRate > 0) != (dropoutSeed != null)) {
      throw new IllegalArgumentException(
          "AlexNet: give dropoutSeed exactly when dropoutRate > 0 (rate "
              + dropoutRate
              + ", seed "
              + dropoutSeed
              + "); random numbers come from an explicit seed");
    }
    this.mode = mode;
    this.useBatchNorm = useBatchNorm;
    this.batchNormConfig = batchNormConfig;
    this.bnOnFcLayers = bnOnFcLayers;
    this.wInit = wInit;
    this.bInit = bInit;
    this.dropoutRate = dropoutRate;
    this.dropoutSeed = dropoutSeed;
    this.convs = mode == Mode.FULL ? FULL_CONVS : MINI_CONVS;
    int fc = mode == Mode.FULL ? 4096 : 1024;
    List<Conv2D> c = new ArrayList<>();
    List<BatchNorm> cn = new ArrayList<>();
    int bn = 0;
    for (int i = 0; i < convs.length; i++) {
      c.add(
          Conv2D.builder(convs[i][0], convs[i][1])
              .stride(convs[i][2])
              .padding(Pad.VALID)
              .wInit(wInit)
              .bInit(bInit)
              .name("conv_" + i)
              .build());
      if (useBatchNorm) {
        cn.add(BottleneckBlock.batchNorm(batchNormConfig, false, batchNormName(bn++)));
      }
    }
    List<Linear> l = new ArrayList<>();
    List<BatchNorm> fn = new ArrayList<>();
    List<Dropout> d = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      l.add(Linear.builder(fc).wInit(wInit).bInit(bInit).name("fc_" + i).build());
      if (useBatchNorm && bnOnFcLayers) {
        fn.add(BottleneckBlock.batchNorm(batchNormConfig, false, batchNormName(bn++)));
      }
      if (dropoutRate > 0) {
        d.add(new Dropout(dropoutRate, dropoutSeed + i));
      }
    }
    this.convModules = List.copyOf(c);
    this.convNorms = List.copyOf(cn);
    this.linearModules = List.copyOf(l);
    this.fcNorms = List.copyOf(fn);
    this.dropouts = List.copyOf(d);
  }

  /** Sonnet 1's automatic names: {@code batch_norm}, {@code batch_norm_1}, ... */
  private static String batchNormName(int i) {
    return i == 0 ? "batch_norm" : "batch_norm_" + i;
  }

  /** The five convolutions. */
  public List<Conv2D> convModules() {
    return convModules;
  }

  /** The two fully connected layers. */
  public List<Linear> linearModules() {
    return linearModules;
  }

  /** The smallest input height and width: the output of the last pool is then 1 x 1. */
  public int minInputSize() {
    int size = 1;
    for (int i = convs.length - 1; i >= 0; i--) {
      if (convs[i][3] > 0) {
        size = size * convs[i][4] + (convs[i][3] - convs[i][4]);
      }
      size = size * convs[i][2] + (convs[i][1] - convs[i][2]);
    }
    return size;
  }

  /** Runs the network; for one without batch norm or dropout. */
  @Override
  public Tensor call(Tensor x) {
    if (useBatchNorm || dropoutRate > 0) {
      throw new ModuleException(
          "AlexNet '"
              + path()
              + "' uses "
              + (useBatchNorm ? "batch norm" : "dropout")
              + ", so it needs to know whether it is training: call(x, isTraining)");
    }
    return run(x, false, false);
  }

  /** Runs the network; {@code isTraining} goes to the batch norms and turns dropout on. */
  public Tensor call(Tensor x, boolean isTraining) {
    return call(x, isTraining, false);
  }

  /** Runs the network; see {@link ConvNet2D#call(Tensor, boolean, boolean)}. */
  public Tensor call(Tensor x, boolean isTraining, boolean testLocalStats) {
    return run(x, isTraining, testLocalStats);
  }

  private Tensor run(Tensor x, boolean training, boolean testLocalStats) {
    int min = minInputSize();
    if (x.shape().rank() != 4 || x.dim(1) < min || x.dim(2) < min) {
      throw new ShapeException(
          path()
              + ": AlexNet "
              + mode
              + " needs input [batch, height, width, channels] with height and width at least "
              + min
              + ", got "
              + x.shape());
    }
    Tensor h = x;
    for (int i = 0; i < convModules.size(); i++) {
      h = convModules.get(i).call(h);
      if (useBatchNorm) {
        h = convNorms.get(i).call(h, training, testLocalStats);
      }
      h = h.relu();
      if (convs[i][3] > 0) {
        h =
            Convolution.maxPool(
                h, new int[] {convs[i][3]}, PoolOptions.DEFAULT.withStride(convs[i][4]));
      }
    }
    h = h.reshape(h.dim(0), -1);
    for (int i = 0; i < linearModules.size(); i++) {
      h = linearModules.get(i).call(h);
      if (!fcNorms.isEmpty()) {
        h = fcNorms.get(i).call(h, training, testLocalStats);
      }
      h = h.relu();
      if (!dropouts.isEmpty()) {
        h = dropouts.get(i).call(h, training);
      }
    }
    return h;
  }
}
