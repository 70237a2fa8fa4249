package dev.sonnet.nets;

/**
 * ResNet-50: a {@link ResNet} with {@code [3, 4, 6, 3]} bottleneck blocks per group and widths
 * 256, 512, 1024, 2048.
 *
 * <pre>{@code
 * var net = new ResNet50(1000);
 * Tensor logits = net.call(images, true);   // images: [batch, 224, 224, 3]
 * }</pre>
 */
public final class ResNet50 extends ResNet {
  /** Sonnet's BatchNorm settings for ResNets. */
  public static final BatchNormConfig DEFAULT_BN_CONFIG = BatchNormConfig.DEFAULT;
  /** {@code false}: v1 blocks. */
  public static final boolean DEFAULT_RESNET_V2 = false;

  /** A v1 ResNet-50 for {@code numClasses} classes. */
  public ResNet50(int numClasses) {
    this(numClasses, DEFAULT_BN_CONFIG, DEFAULT_RESNET_V2, null);
  }

  /**
   * @param numClasses the logits' size
   * @param bnConfig null for the default
   * @param resnetV2 default {@value #DEFAULT_RESNET_V2}
   * @param name null for {@code res_net50}
   */
  public ResNet50(int numClasses, BatchNormConfig bnConfig, boolean resnetV2, String name) {
    super(new int[] {3, 4, 6, 3}, numClasses, bnConfig == null ? DEFAULT_BN_CONFIG : bnConfig,
        resnetV2, toArray(ResNet.DEFAULT_CHANNELS_PER_GROUP), name);
  }
}
