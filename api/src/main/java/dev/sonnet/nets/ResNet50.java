package dev.sonnet.nets;

import dev.sonnet.module.Settings;

/**
 * ResNet-50: a {@link ResNet} with {@code [3, 4, 6, 3]} bottleneck blocks per group and widths 256,
 * 512, 1024, 2048.
 *
 * <p>Its defaults are {@link ResNet}'s: {@link ResNet#DEFAULT_BN_CONFIG} and {@link
 * ResNet#DEFAULT_RESNET_V2}.
 *
 * <pre>{@code
 * var net = new ResNet50(1000);
 * Tensor logits = net.call(images, true);   // images: [batch, 224, 224, 3]
 * }</pre>
 */
public final class ResNet50 extends ResNet {
  /** A v1 ResNet-50 for {@code numClasses} classes. */
  public ResNet50(int numClasses) {
    this(numClasses, DEFAULT_BN_CONFIG, DEFAULT_RESNET_V2, null);
  }

  /**
   * @param numClasses the logits' size
   * @param bnConfig the BatchNorm settings, not null; default {@link ResNet#DEFAULT_BN_CONFIG}
   * @param resnetV2 whether to use v2 blocks; default {@value ResNet#DEFAULT_RESNET_V2}
   * @param name null for {@code res_net50}
   */
  @Settings
  public ResNet50(int numClasses, BatchNormConfig bnConfig, boolean resnetV2, String name) {
    super(
        new int[] {3, 4, 6, 3},
        numClasses,
        bnConfig,
        resnetV2,
        toArray(DEFAULT_CHANNELS_PER_GROUP),
        name);
  }
}
