package dev.sonnet.nets;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Linear;
import dev.sonnet.nn.Pad;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.Padding;
import dev.sonnet.ops.PoolOptions;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A residual network with bottleneck blocks (He et al., 2016), as Sonnet 2's {@code ResNet}: a
 * {@code 7 x 7} stride-2 convolution to 64 channels (no bias, {@code Pad.of(SAME)}), BatchNorm and
 * relu (v1 only), a {@code 3 x 3} stride-2 max pool (SAME), four {@code block_group_i} of
 * bottleneck blocks with strides 1, 2, 2, 2, a final BatchNorm and relu (v2 only), a spatial mean
 * and a {@link Linear} to the logits whose weights start at zero.
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, channels]}; output {@code [batch,
 * numClasses]}.
 *
 * <p><b>Variables:</b> {@code initial_conv/w}, {@code initial_batchnorm/...} (v1), {@code
 * block_group_g/block_b/{conv_i/w, batchnorm_i/..., shortcut_conv/w, shortcut_batchnorm/...}},
 * {@code final_batchnorm/...} (v2), {@code logits/{w,b}}. Each BatchNorm follows {@code bnConfig};
 * in v1 the last BatchNorm of each block starts with a zero scale, so each block starts as the
 * identity.
 *
 * <pre>{@code
 * var net = new ResNet(new int[] {1, 1, 1, 1}, 10);
 * var v2 = ResNet.builder(new int[] {1, 1, 1, 1}, 10).resnetV2(true).build();
 * Tensor logits = net.call(images, true);   // [batch, 10]
 * }</pre>
 */
public class ResNet extends Module {
  /** Sonnet's BatchNorm settings for ResNets: decay 0.9, eps 1e-5, scale and offset learned. */
  public static final BatchNormConfig DEFAULT_BN_CONFIG = BatchNormConfig.DEFAULT;

  /** {@code false}: the original (v1) blocks, Sonnet's default. */
  public static final boolean DEFAULT_RESNET_V2 = false;

  /** Sonnet's widths: 256, 512, 1024, 2048. */
  public static final List<Integer> DEFAULT_CHANNELS_PER_GROUP = List.of(256, 512, 1024, 2048);

  final int[] blocks;
  final int numClasses;
  final BatchNormConfig bnConfig;
  final boolean resnetV2;
  final int[] channels;
  final Conv2D initialConv;
  final BatchNorm initialBatchnorm;
  final List<BlockGroup> blockGroups;
  final BatchNorm finalBatchnorm;
  final Linear logits;

  /** A v1 ResNet with the default widths and BatchNorm settings. */
  public ResNet(int[] blocksPerGroup, int numClasses) {
    this(
        blocksPerGroup,
        numClasses,
        DEFAULT_BN_CONFIG,
        DEFAULT_RESNET_V2,
        toArray(DEFAULT_CHANNELS_PER_GROUP),
        null);
  }

  /**
   * Starts a ResNet with every other setting at its default, e.g. a narrow v2 one: {@code
   * ResNet.builder(new int[] {1, 1, 1, 1}, 10).resnetV2(true).channelsPerGroup(8, 8, 8, 8)
   * .build()}.
   *
   * @param blocksPerGroup the number of blocks in each of the 4 groups
   * @param numClasses the logits' size
   */
  public static ResNetBuilder builder(int[] blocksPerGroup, int numClasses) {
    return new ResNetBuilder(blocksPerGroup, numClasses);
  }

  /**
   * Every setting; called by {@link ResNetBuilder}, which documents each and its default. {@code
   * blocksPerGroup} and {@code channelsPerGroup} have 4 entries, one per group; each channel count
   * is divisible by 4.
   */
  @SuppressWarnings("this-escape")
  @Settings
  ResNet(
      int[] blocksPerGroup,
      int numClasses,
      BatchNormConfig bnConfig,
      boolean resnetV2,
      int[] channelsPerGroup,
      String name) {
    super(name);
    if (channelsPerGroup == null) {
      throw new IllegalArgumentException(
          "ResNet: channelsPerGroup must not be null; leave it"
              + " unset in the builder for its default (ResNet.DEFAULT_CHANNELS_PER_GROUP)");
    }
    if (bnConfig == null) {
      throw new IllegalArgumentException(
          "ResNet: bnConfig must not be null; leave it unset in"
              + " the builder for its default (ResNet.DEFAULT_BN_CONFIG)");
    }
    int[] ch = channelsPerGroup.clone();
    if (blocksPerGroup == null || blocksPerGroup.length != 4) {
      throw new IllegalArgumentException(
          "ResNet: blocksPerGroup must have 4 entries (one per"
              + " group), got "
              + Arrays.toString(blocksPerGroup));
    }
    if (ch.length != 4) {
      throw new IllegalArgumentException(
          "ResNet: channelsPerGroup must have 4 entries (one per"
              + " group), got "
              + Arrays.toString(ch));
    }
    this.blocks = blocksPerGroup.clone();
    this.numClasses = numClasses;
    this.bnConfig = bnConfig;
    this.resnetV2 = resnetV2;
    this.channels = ch;
    this.initialConv =
        Conv2D.builder(64, 7)
            .stride(2)
            .padding(Pad.of(Pad.Fn.SAME))
            .withBias(false)
            .name("initial_conv")
            .build();
    this.initialBatchnorm =
        resnetV2 ? null : BottleneckBlock.batchNorm(this.bnConfig, false, "initial_batchnorm");
    int[] strides = {1, 2, 2, 2};
    List<BlockGroup> groups = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      groups.add(
          new BlockGroup(
              ch[i], blocksPerGroup[i], strides[i], this.bnConfig, resnetV2, "block_group_" + i));
    }
    this.blockGroups = List.copyOf(groups);
    this.finalBatchnorm =
        resnetV2 ? BottleneckBlock.batchNorm(this.bnConfig, false, "final_batchnorm") : null;
    this.logits = Linear.builder(numClasses).wInit(Initializers.zeros()).name("logits").build();
  }

  static int[] toArray(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The number of blocks per group. */
  public int[] blocksPerGroup() {
    return blocks.clone();
  }

  /** The channels per group. */
  public List<Integer> channelsPerGroup() {
    return Arrays.stream(channels).boxed().toList();
  }

  /** The logits for {@code x}; {@code isTraining} goes to every BatchNorm. */
  public Tensor call(Tensor x, boolean isTraining) {
    if (x.rank() != 4) {
      throw new ShapeException(
          getClass().getSimpleName()
              + " '"
              + path()
              + "': input "
              + x.shape()
              + " should be [batch, height, width, channels]");
    }
    Tensor h = initialConv.call(x);
    if (!resnetV2) {
      h = initialBatchnorm.call(h, isTraining).relu();
    }
    h =
        Convolution.maxPool(
            h, new int[] {3, 3}, PoolOptions.DEFAULT.withStride(2).withPadding(Padding.SAME));
    for (BlockGroup g : blockGroups) {
      h = g.call(h, isTraining);
    }
    if (resnetV2) {
      h = finalBatchnorm.call(h, isTraining).relu();
    }
    return logits.call(h.mean(1, 2));
  }
}
