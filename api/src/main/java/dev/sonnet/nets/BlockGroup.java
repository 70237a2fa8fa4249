package dev.sonnet.nets;

import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A group of ResNet bottleneck blocks {@code block_0, block_1, ...}: the first has the stride and a
 * projection shortcut, the others stride 1 and the identity shortcut.
 */
final class BlockGroup extends Module {
  final int channels;
  final int numBlocks;
  final int stride;
  final BatchNormConfig bnConfig;
  final boolean resnetV2;
  final List<BottleneckBlock> blocks;

  @SuppressWarnings("this-escape")
  BlockGroup(
      int channels,
      int numBlocks,
      int stride,
      BatchNormConfig bnConfig,
      boolean resnetV2,
      String name) {
    super(name);
    this.channels = channels;
    this.numBlocks = numBlocks;
    this.stride = stride;
    this.bnConfig = bnConfig;
    this.resnetV2 = resnetV2;
    List<BottleneckBlock> bs = new ArrayList<>();
    for (int i = 0; i < numBlocks; i++) {
      bs.add(
          new BottleneckBlock(
              channels, i == 0 ? stride : 1, i == 0, bnConfig, resnetV2, "block_" + i));
    }
    this.blocks = List.copyOf(bs);
  }

  Tensor call(Tensor x, boolean isTraining) {
    Tensor h = x;
    for (BottleneckBlock b : blocks) {
      h = b.call(h, isTraining);
    }
    return h;
  }
}
