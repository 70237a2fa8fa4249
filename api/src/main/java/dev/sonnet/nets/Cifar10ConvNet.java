package dev.sonnet.nets;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sonnet's CIFAR-10 network, "VGG without max-pooling, with batch norm": a stack of {@code 3 x 3}
 * convolutions, each followed by a {@link BatchNorm} (learned offset, no scale) and a relu, then a
 * global average pool and a {@link Linear} layer to the logits.
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, channels]} (or channels-first); logits
 * {@code [batch, numClasses]}; the activations are each block's output and finally the pooled
 * features {@code [batch, outputChannels[last]]}.
 *
 * <p><b>Variables:</b> {@code conv_2d_i/{w,b}} and {@code batch_norm_i/...} (8 each) per layer,
 * {@code logits/{w,b}}.
 *
 * <pre>{@code
 * var net = new Cifar10ConvNet();
 * var small = Cifar10ConvNet.builder().outputChannels(16, 32).strides(1, 2).build();
 * Cifar10ConvNet.Output out = net.call(images, true);   // out.logits(): [batch, 10]
 * }</pre>
 */
public final class Cifar10ConvNet extends Module {
  /** {@code 10}: CIFAR-10's classes. */
  public static final int DEFAULT_NUM_CLASSES = 10;

  /**
   * {@code null}: each convolution's and the logits' own default (a truncated normal scaled by the
   * fan-in), chosen on the first call.
   */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros, so the layers start unbiased. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** Channels-last ({@code NHWC}). */
  public static final DataFormat DEFAULT_DATA_FORMAT = DataFormat.CHANNELS_LAST;

  /** Sonnet's widths: 64, 64, 128, 128, 128, 256, 256, 256, 512, 512, 512. */
  public static final List<Integer> DEFAULT_OUTPUT_CHANNELS =
      List.of(64, 64, 128, 128, 128, 256, 256, 256, 512, 512, 512);

  /** Sonnet's strides: 2 at layers 3, 6 and 9, halving the image three times. */
  public static final List<Integer> DEFAULT_STRIDES = List.of(1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1);

  /** The logits and the per-layer activations. */
  public record Output(Tensor logits, List<Tensor> activations) {}

  final int numClasses;
  final Initializer wInit;
  final Initializer bInit;
  final DataFormat dataFormat;
  final int[] channels;
  final int[] strideList;
  final List<Conv2D> convModules;
  final List<BatchNorm> bnModules;
  final Linear logitsModule;

  /** Sonnet's network for 10 classes. */
  public Cifar10ConvNet() {
    this(
        DEFAULT_NUM_CLASSES,
        DEFAULT_W_INIT,
        DEFAULT_B_INIT,
        DEFAULT_DATA_FORMAT,
        toArray(DEFAULT_OUTPUT_CHANNELS),
        toArray(DEFAULT_STRIDES),
        null);
  }

  /**
   * Starts Sonnet's network with every setting at its default, e.g. a small one for 3 classes:
   * {@code Cifar10ConvNet.builder().numClasses(3).outputChannels(16, 32).strides(1, 2).build()}.
   */
  public static Cifar10ConvNetBuilder builder() {
    return new Cifar10ConvNetBuilder();
  }

  /**
   * Every setting; called by {@link Cifar10ConvNetBuilder}, which documents each and its default.
   * {@code outputChannels} and {@code strides} need the same length, one per layer.
   */
  @SuppressWarnings("this-escape")
  @Settings
  Cifar10ConvNet(
      int numClasses,
      Initializer wInit,
      Initializer bInit,
      DataFormat dataFormat,
      int[] outputChannels,
      int[] strides,
      String name) {
    super(name);
    int[] ch = required("outputChannels", outputChannels).clone();
    int[] st = required("strides", strides).clone();
    required("dataFormat", dataFormat);
    if (ch.length != st.length) {
      throw new IllegalArgumentException(
          "Cifar10ConvNet: outputChannels "
              + Arrays.toString(ch)
              + " and strides "
              + Arrays.toString(st)
              + " need the same length, one per layer");
    }
    this.numClasses = numClasses;
    this.wInit = wInit;
    this.bInit = bInit;
    this.dataFormat = dataFormat;
    this.channels = ch;
    this.strideList = st;
    List<Conv2D> convs = new ArrayList<>();
    List<BatchNorm> bns = new ArrayList<>();
    for (int i = 0; i < ch.length; i++) {
      convs.add(
          Conv2D.builder(ch[i], 3)
              .stride(st[i])
              .wInit(wInit)
              .bInit(bInit)
              .dataFormat(this.dataFormat)
              .name("conv_2d_" + i)
              .build());
      bns.add(
          BatchNorm.builder(false, true)
              .dataFormat(this.dataFormat)
              .name("batch_norm_" + i)
              .build());
    }
    this.convModules = List.copyOf(convs);
    this.bnModules = List.copyOf(bns);
    this.logitsModule = Linear.builder(numClasses).wInit(wInit).bInit(bInit).name("logits").build();
  }

  private static <T> T required(String setting, T value) {
    if (value == null) {
      throw new IllegalArgumentException(
          "Cifar10ConvNet: "
              + setting
              + " must not be null; leave"
              + " it unset in the builder for its default (Cifar10ConvNet.DEFAULT_"
              + setting.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT)
              + ")");
    }
    return value;
  }

  private static int[] toArray(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Each layer's channels. */
  public List<Integer> outputChannels() {
    return Arrays.stream(channels).boxed().toList();
  }

  /** Each layer's stride. */
  public List<Integer> strides() {
    return Arrays.stream(strideList).boxed().toList();
  }

  /** {@link #call(Tensor, boolean, boolean)} with {@code testLocalStats} true, Sonnet's default. */
  public Output call(Tensor x, boolean isTraining) {
    return call(x, isTraining, true);
  }

  /**
   * Runs the network; the flags go to every {@link BatchNorm}. Note Sonnet's default here: {@code
   * testLocalStats} is true, so evaluation uses the batch's statistics unless told otherwise.
   */
  public Output call(Tensor x, boolean isTraining, boolean testLocalStats) {
    List<Tensor> activations = new ArrayList<>();
    Tensor h = x;
    for (int i = 0; i < convModules.size(); i++) {
      h = convModules.get(i).call(h);
      h = bnModules.get(i).call(h, isTraining, testLocalStats).relu();
      activations.add(h);
    }
    int[] spatial = dataFormat == DataFormat.CHANNELS_LAST ? new int[] {1, 2} : new int[] {2, 3};
    h = h.mean(spatial);
    activations.add(h);
    return new Output(logitsModule.call(h), List.copyOf(activations));
  }
}
