package dev.sonnet.samples.mnist;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Flatten;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.Convolution;
import java.util.List;

/**
 * The job's two networks, built from library layers. Each weight starts from Sonnet's default
 * distribution, a truncated normal of standard deviation {@code 1 / sqrt(fanIn)}, drawn from a
 * generator seeded by the job's seed and the layer's position, so {@code --seed} changes the
 * starting point and the same seed always gives the same one.
 */
public final class Models {
  private Models() {}

  /** The image size of (Fashion-)MNIST. */
  static final int SIDE = 28;

  /** Ten classes of clothing. */
  static final int CLASSES = 10;

  /**
   * Sonnet 2's {@code mlp_on_mnist} model: {@code Flatten -> Linear(1024) -> relu -> Linear(1024)
   * -> relu -> Linear(10)}, about 1.86 million parameters. Takes {@code [batch, 28, 28, 1]} (or any
   * shape that flattens to 784) and returns logits.
   */
  public static Sequential mlp(long seed) {
    return new Sequential(
        new Flatten(),
        linear(1024, SIDE * SIDE, seed, 0),
        Layers.relu(),
        linear(1024, 1024, seed, 1),
        Layers.relu(),
        linear(CLASSES, 1024, seed, 2));
  }

  /**
   * A small ConvNet: {@code Conv2D(32, 3) -> relu -> max-pool 2 -> Conv2D(64, 3) -> relu ->
   * max-pool 2 -> Flatten -> Linear(128) -> relu -> Linear(10)} with SAME padding, about 0.42
   * million parameters. Takes {@code [batch, 28, 28, 1]}.
   */
  public static Sequential convNet(long seed) {
    Layer pool = Layers.named("max_pool_2x2", x -> Convolution.maxPool(x, new int[] {2, 2}));
    return new Sequential(
        List.of(
            conv(32, 1, seed, 0),
            Layers.relu(),
            pool,
            conv(64, 32, seed, 1),
            Layers.relu(),
            pool,
            new Flatten(),
            linear(128, 7 * 7 * 64, seed, 2),
            Layers.relu(),
            linear(CLASSES, 128, seed, 3)));
  }

  private static Linear linear(int outputs, int inputs, long seed, int index) {
    return Linear.builder(outputs).wInit(init(inputs, seed, index)).build();
  }

  private static Conv2D conv(int outputs, int inputChannels, long seed, int index) {
    return Conv2D.builder(outputs, 3).wInit(init(9 * inputChannels, seed, index)).build();
  }

  private static Initializer init(int fanIn, long seed, int index) {
    return Initializers.truncatedNormal(1 / Math.sqrt(fanIn)).seeded(seed * 1_000_003L + index);
  }
}
