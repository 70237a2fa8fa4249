package dev.sonnet.nets;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Module;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Pad;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * A ResNet bottleneck block ({@code 1x1} to {@code channels / 4}, {@code 3x3} with the stride,
 * {@code 1x1} to {@code channels}), in Sonnet's two variants: v1 (He et al., 2016a) puts each
 * BatchNorm after its convolution, starts the last BatchNorm's scale at zero and applies relu to
 * the sum; v2 (He et al., 2016b) is pre-activation: BatchNorm and relu before each convolution, the
 * projection taken from the first pre-activated tensor, no relu after the sum.
 */
final class BottleneckBlock extends Module {
  final int channels;
  final int stride;
  final boolean useProjection;
  final BatchNormConfig bnConfig;
  final boolean resnetV2;
  final Conv2D projConv;
  final BatchNorm projBatchnorm;
  final List<Conv2D> convs;
  final List<BatchNorm> batchnorms;

  @SuppressWarnings("this-escape")
  BottleneckBlock(
      int channels,
      int stride,
      boolean useProjection,
      BatchNormConfig bnConfig,
      boolean resnetV2,
      String name) {
    super(name);
    this.channels = channels;
    this.stride = stride;
    this.useProjection = useProjection;
    this.bnConfig = bnConfig;
    this.resnetV2 = resnetV2;
    Pad same = Pad.of(Pad.Fn.SAME);
    if (useProjection) {
      projConv =
          Conv2D.builder(channels, 1)
              .stride(stride)
              .padding(same)
              .withBias(false)
              .name("shortcut_conv")
              .build();
      projBatchnorm = resnetV2 ? null : batchNorm(bnConfig, false, "shortcut_batchnorm");
    } else {
      projConv = null;
      projBatchnorm = null;
    }
    convs =
        List.of(
            Conv2D.builder(channels / 4, 1)
                .stride(1)
                .padding(same)
                .withBias(false)
                .name("conv_0")
                .build(),
            Conv2D.builder(channels / 4, 3)
                .stride(stride)
                .padding(same)
                .withBias(false)
                .name("conv_1")
                .build(),
            Conv2D.builder(channels, 1)
                .stride(1)
                .padding(same)
                .withBias(false)
                .name("conv_2")
                .build());
    batchnorms =
        List.of(
            batchNorm(bnConfig, false, "batchnorm_0"),
            batchNorm(bnConfig, false, "batchnorm_1"),
            batchNorm(bnConfig, !resnetV2, "batchnorm_2"));
  }

  static BatchNorm batchNorm(BatchNormConfig c, boolean zeroScale, String name) {
    return BatchNorm.builder(c.createScale(), c.createOffset())
        .decayRate(c.decayRate())
        .eps(c.eps())
        .scaleInit(zeroScale && c.createScale() ? Initializers.zeros() : null)
        .name(name)
        .build();
  }

  Tensor call(Tensor x, boolean isTraining) {
    if (!resnetV2) {
      Tensor shortcut = x;
      if (useProjection) {
        shortcut = projBatchnorm.call(projConv.call(x), isTraining);
      }
      Tensor h = x;
      for (int i = 0; i < 3; i++) {
        h = batchnorms.get(i).call(convs.get(i).call(h), isTraining);
        if (i < 2) {
          h = h.relu();
        }
      }
      return h.add(shortcut).relu();
    }
    Tensor h = x;
    Tensor shortcut = x;
    for (int i = 0; i < 3; i++) {
      h = batchnorms.get(i).call(h, isTraining).relu();
      if (i == 0 && useProjection) {
        shortcut = projConv.call(h);
      }
      h = convs.get(i).call(h);
    }
    return h.add(shortcut);
  }
}
