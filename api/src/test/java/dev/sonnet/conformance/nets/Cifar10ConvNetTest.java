package dev.sonnet.conformance.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.conformance.nn.NnReference;
import dev.sonnet.module.Module;
import dev.sonnet.nets.Cifar10ConvNet;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

class Cifar10ConvNetTest {

  private static final int[] CHANNELS = {3, 4};
  private static final int[] STRIDES = {1, 2};

  private static Cifar10ConvNet smallNet() {
    return Cifar10ConvNet.builder().numClasses(3).outputChannels(CHANNELS).strides(STRIDES).build();
  }

  private static <T extends Module> T child(Module net, String name, Class<T> type) {
    return net.submodules().stream()
        .filter(m -> m.name().equals(name))
        .map(type::cast)
        .findFirst()
        .orElseThrow();
  }

  /** Per channel of {@code y [n, c]} (flattened): batch moments, normalise, add the offset. */
  private static double[] batchNormRelu(double[] y, int c, double[] offset) {
    int n = y.length / c;
    double[] mean = new double[c];
    double[] var = new double[c];
    for (int i = 0; i < y.length; i++) {
      mean[i % c] += y[i] / n;
    }
    for (int i = 0; i < y.length; i++) {
      var[i % c] += (y[i] - mean[i % c]) * (y[i] - mean[i % c]) / n;
    }
    double[] out = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = Math.max(0, (y[i] - mean[i % c]) / Math.sqrt(var[i % c] + 1e-5) + offset[i % c]);
    }
    return out;
  }

  @Test
  void call_isConvBatchNormReluPerLayerThenMeanPoolAndLinear() {
    var net = smallNet();
    Tensor x = ModuleChecks.uniform(1, 2, 4, 4, 2);
    net.call(x, false);
    for (int i = 0; i < 2; i++) {
      ModuleChecks.randomize(child(net, "conv_2d_" + i, Conv2D.class).b(), 10 + i);
      ModuleChecks.randomize(child(net, "batch_norm_" + i, BatchNorm.class).offset(), 20 + i);
    }
    Linear logits = child(net, "logits", Linear.class);
    ModuleChecks.randomize(logits.b(), 30);
    // Evaluation with Sonnet's default testLocalStats=true: batch moments, no update.
    Cifar10ConvNet.Output out = net.call(x, false);

    double[] h = x.toDoubleArray();
    int[] spatial = {4, 4};
    int in = 2;
    for (int i = 0; i < 2; i++) {
      Conv2D conv = child(net, "conv_2d_" + i, Conv2D.class);
      int s = STRIDES[i];
      int[][] same =
          NnReference.same(spatial, new int[] {3, 3}, new int[] {s, s}, new int[] {1, 1});
      h =
          NnReference.addBias(
              NnReference.conv(
                  h,
                  2,
                  spatial,
                  in,
                  conv.w().peek().toDoubleArray(),
                  new int[] {3, 3},
                  CHANNELS[i],
                  new int[] {s, s},
                  new int[] {1, 1},
                  same[0],
                  same[1]),
              conv.b().peek().toDoubleArray());
      h =
          batchNormRelu(
              h,
              CHANNELS[i],
              child(net, "batch_norm_" + i, BatchNorm.class).offset().peek().toDoubleArray());
      // Normalised values are O(1) from sums of <= 36 products: float64 error far below 1e-9.
      ModuleChecks.assertClose(out.activations().get(i), h, 1e-9);
      spatial = same[1];
      in = CHANNELS[i];
    }
    int positions = spatial[0] * spatial[1];
    double[] pooled = new double[2 * in];
    for (int i = 0; i < h.length; i++) {
      pooled[(i / (positions * in)) * in + i % in] += h[i] / positions;
    }
    ModuleChecks.assertClose(out.activations().get(2), pooled, 1e-9);
    ModuleChecks.assertClose(
        out.logits(),
        NnReference.linear(
            pooled, 2, in, logits.w().peek().toDoubleArray(), 3, logits.b().peek().toDoubleArray()),
        1e-9);
  }

  @Test
  void training_updatesTheMovingAveragesEvaluationWithLocalStatsDoesNot() {
    var net = smallNet();
    Tensor x = ModuleChecks.uniform(2, 2, 4, 4, 2);
    net.call(x, false);
    BatchNorm bn = child(net, "batch_norm_0", BatchNorm.class);
    assertThat(bn.movingMean().value().toDoubleArray()).containsOnly(0.0);
    net.call(x, true);
    assertThat(bn.movingMean().value().toDoubleArray()).isNotEqualTo(new double[3]);
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var net = smallNet();
    Tensor x = ModuleChecks.uniform(3, 2, 3, 3, 1);
    net.call(x, false);
    for (int i = 0; i < 2; i++) {
      ModuleChecks.randomize(child(net, "batch_norm_" + i, BatchNorm.class).offset(), 40 + i);
    }
    ModuleChecks.checkGradients(net, t -> net.call(t, false).logits(), x);
  }

  @Test
  void variables_smallNet_areConvBatchNormPerLayerAndLogits() {
    var net = smallNet();
    net.call(Tensor.zeros(DType.FLOAT32, 2, 4, 4, 2), true);
    assertThat(net.variables()).hasSize(2 * (2 + 8) + 2);
    assertThat(net.trainableVariables())
        .extracting(Variable::name)
        .containsExactlyInAnyOrder(
            "cifar10_conv_net/conv_2d_0/w", "cifar10_conv_net/conv_2d_0/b",
            "cifar10_conv_net/batch_norm_0/offset", "cifar10_conv_net/conv_2d_1/w",
            "cifar10_conv_net/conv_2d_1/b", "cifar10_conv_net/batch_norm_1/offset",
            "cifar10_conv_net/logits/w", "cifar10_conv_net/logits/b");
    assertThat(ModuleChecks.variableLines(net))
        .contains(
            "cifar10_conv_net/conv_2d_1/w -> f32[3,3,3,4]",
            "cifar10_conv_net/logits/w -> f32[4,3]");
  }

  @Test
  void defaultNet_onATinyImage_hasElevenLayersAndTenLogits() {
    var net = new Cifar10ConvNet();
    Cifar10ConvNet.Output out = net.call(Tensor.zeros(DType.FLOAT32, 2, 8, 8, 3), false);
    assertThat(out.logits().shape().dims()).containsExactly(2, 10);
    assertThat(out.activations()).hasSize(12);
    // Strides 2 at layers 2, 5 and 8 (0-based): 8 -> 4 -> 2 -> 1.
    assertThat(out.activations().get(1).shape().dims()).containsExactly(2, 8, 8, 64);
    assertThat(out.activations().get(2).shape().dims()).containsExactly(2, 4, 4, 128);
    assertThat(out.activations().get(10).shape().dims()).containsExactly(2, 1, 1, 512);
    assertThat(out.activations().get(11).shape().dims()).containsExactly(2, 512);
    assertThat(net.variables()).hasSize(11 * 10 + 2);
    assertThat(net.trainableVariables()).hasSize(11 * 3 + 2);
  }

  @Test
  void constructor_mismatchedChannelsAndStrides_throws() {
    assertThatThrownBy(() -> Cifar10ConvNet.builder().outputChannels(4, 8).strides(1).build())
        .hasMessageContaining("need the same length");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new Cifar10ConvNet().toString()).isEqualTo("Cifar10ConvNet()");
  }
}
