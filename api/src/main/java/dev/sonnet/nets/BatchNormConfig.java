package dev.sonnet.nets;

/**
 * The settings of the {@link dev.sonnet.nn.BatchNorm} layers of a {@link ResNet} (Sonnet's {@code
 * bn_config} dictionary).
 *
 * @param decayRate decay of the moving averages
 * @param eps added to the variance
 * @param createScale whether the scale is learned
 * @param createOffset whether the offset is learned
 */
public record BatchNormConfig(
    double decayRate, double eps, boolean createScale, boolean createOffset) {
  /** Sonnet's ResNet defaults: decay 0.9 (a short horizon suits ResNet training), eps 1e-5. */
  public static final BatchNormConfig DEFAULT = new BatchNormConfig(0.9, 1e-5, true, true);

  public BatchNormConfig {
    if (!(decayRate >= 0 && decayRate <= 1)) {
      throw new IllegalArgumentException(
          "BatchNormConfig: decayRate must be in [0, 1], got " + decayRate);
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("BatchNormConfig: eps must be > 0, got " + eps);
    }
  }
}
