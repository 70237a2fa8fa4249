package dev.sonnet.nets;

import dev.sonnet.module.Layer;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Pad;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@link ConvNet2D} and {@link ConvNet2DTranspose} share: Sonnet 1's rule that a per-layer
 * setting of length 1 applies to every layer, the checks, and the forward pass (convolution, then
 * batch norm, then activation, the last two skipped on the final layer unless asked for).
 */
final class ConvNets {
  private ConvNets() {}

  /** {@code values} for {@code layers} layers: as given, or its one element repeated. */
  static int[] perLayer(String net, String setting, int[] values, int layers) {
    if (values == null) {
      throw new IllegalArgumentException(
          net
              + ": "
              + setting
              + " must not be null; leave it unset in the builder for its default");
    }
    if (values.length == layers) {
      return values.clone();
    }
    if (values.length == 1) {
      int[] out = new int[layers];
      Arrays.fill(out, values[0]);
      return out;
    }
    throw new IllegalArgumentException(
        net
            + ": "
            + setting
            + " "
            + Arrays.toString(values)
            + " must have length 1 (one value for every layer) or "
            + layers
            + " (one per layer, as outputChannels)");
  }

  /** {@code values} for {@code layers} layers: as given, or its one element repeated. */
  static <T> List<T> perLayer(String net, String setting, List<T> values, int layers) {
    if (values == null || values.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException(
          net + ": " + setting + " must not be null or hold null; leave it unset for its default");
    }
    if (values.size() == layers) {
      return List.copyOf(values);
    }
    if (values.size() == 1) {
      List<T> out = new ArrayList<>();
      for (int i = 0; i < layers; i++) {
        out.add(values.get(0));
      }
      return List.copyOf(out);
    }
    throw new IllegalArgumentException(
        net
            + ": "
            + setting
            + " "
            + values
            + " must have length 1 (one value for every layer) or "
            + layers
            + " (one per layer, as outputChannels)");
  }

  static int[] outputChannels(String net, int[] outputChannels) {
    if (outputChannels == null || outputChannels.length == 0) {
      throw new IllegalArgumentException(net + ": outputChannels must name at least one layer");
    }
    for (int c : outputChannels) {
      if (c < 1) {
        throw new IllegalArgumentException(
            net
                + ": every output channel count must be >= 1, got "
                + Arrays.toString(outputChannels));
      }
    }
    return outputChannels.clone();
  }

  static List<Pad> paddings(String net, List<Pad> paddings, int layers) {
    return perLayer(net, "paddings", paddings, layers);
  }

  /**
   * The forward pass: {@code conv -> [batch norm] -> [activation]} per layer; on the last layer
   * batch norm only if {@code normalizeFinal} and the activation only if {@code activateFinal}.
   */
  static Tensor forward(
      String path,
      List<? extends Layer> convs,
      List<BatchNorm> norms,
      Layer activation,
      boolean activateFinal,
      boolean normalizeFinal,
      Boolean isTraining,
      boolean testLocalStats,
      Tensor x) {
    if (!norms.isEmpty() && isTraining == null) {
      throw new IllegalStateException(
          path
              + ": this net uses batch normalization, so it needs to know whether it is training:"
              + " call(x, isTraining)");
    }
    Tensor h = x;
    int last = convs.size() - 1;
    for (int i = 0; i <= last; i++) {
      h = convs.get(i).call(h);
      if (i < norms.size()) {
        h = norms.get(i).call(h, isTraining, testLocalStats);
      }
      if (i != last || activateFinal) {
        h = activation.call(h);
      }
    }
    return h;
  }

  /** The batch norms of a net: one per layer, the last only with {@code normalizeFinal}. */
  static List<BatchNorm> batchNorms(BatchNormConfig c, int layers, boolean normalizeFinal) {
    List<BatchNorm> out = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      if (i < layers - 1 || normalizeFinal) {
        out.add(BottleneckBlock.batchNorm(c, false, "batch_norm_" + i));
      }
    }
    return List.copyOf(out);
  }
}
