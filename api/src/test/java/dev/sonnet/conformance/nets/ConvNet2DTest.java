package dev.sonnet.conformance.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.conformance.nn.NnReference;
import dev.sonnet.nets.ConvNet2D;
import dev.sonnet.nets.ConvNet2DTranspose;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Conv2DTranspose;
import dev.sonnet.nn.Pad;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sonnet 1's ConvNet2D and ConvNet2DTranspose against plain-loop convolutions. */
class ConvNet2DTest {

  private static double[] relu(double[] v) {
    double[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(0, out[i]);
    }
    return out;
  }

  @Test
  void call_isConvReluPerLayer_withPerLayerStridesAndRates_lastLayerUnactivated() {
    // Layer 0: 3x3, stride 1, rate 2 (dilated); layer 1: 3x3, stride 2, rate 1.
    ConvNet2D net =
        ConvNet2D.builder(new int[] {3, 2}, new int[] {3}).strides(1, 2).rates(2, 1).build();
    Tensor x = ModuleChecks.uniform(5, 2, 5, 5, 2);
    net.call(x);
    for (int i = 0; i < 2; i++) {
      ModuleChecks.randomize(net.layers().get(i).b(), 50 + i);
    }
    Tensor y = net.call(x);

    int[] strides = {1, 2};
    int[] rates = {2, 1};
    int[] channels = {3, 2};
    double[] h = x.toDoubleArray();
    int[] spatial = {5, 5};
    int in = 2;
    for (int i = 0; i < 2; i++) {
      Conv2D conv = net.layers().get(i);
      int s = strides[i];
      int d = rates[i];
      int[][] same =
          NnReference.same(spatial, new int[] {3, 3}, new int[] {s, s}, new int[] {d, d});
      h =
          NnReference.addBias(
              NnReference.conv(
                  h,
                  2,
                  spatial,
                  in,
                  conv.w().peek().toDoubleArray(),
                  new int[] {3, 3},
                  channels[i],
                  new int[] {s, s},
                  new int[] {d, d},
                  same[0],
                  same[1]),
              conv.b().peek().toDoubleArray());
      if (i == 0) {
        h = relu(h);
      }
      spatial = same[1];
      in = channels[i];
    }
    assertThat(y.shape().dims()).containsExactly(2, 3, 3, 2);
    // float64 sums of at most 18 products of values in [-1, 1]: error near 1e-15.
    ModuleChecks.assertClose(y, h, 1e-9);
  }

  @Test
  void activateFinal_activatesTheLastLayerToo() {
    ConvNet2D net = ConvNet2D.builder(new int[] {2}, new int[] {1}).activateFinal(true).build();
    Tensor y = net.call(ModuleChecks.uniform(6, 1, 3, 3, 2));
    for (double v : y.toDoubleArray()) {
      assertThat(v).isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void batchNorm_followsEveryLayerButTheLast_andNeedsIsTraining() {
    ConvNet2D net = ConvNet2D.builder(new int[] {3, 4}, new int[] {3}).useBatchNorm(true).build();
    Tensor x = ModuleChecks.uniform(7, 2, 4, 4, 2);
    assertThatThrownBy(() -> net.call(x))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("conv_net_2d")
        .hasMessageContaining("call(x, isTraining)");
    net.call(x, true);
    assertThat(ModuleChecks.variableLines(net))
        .anyMatch(l -> l.startsWith("conv_net_2d/batch_norm_0/"))
        .noneMatch(l -> l.startsWith("conv_net_2d/batch_norm_1/"));
    // Sonnet 1's snt.BatchNorm defaults: a learned offset, no learned scale (kept at one).
    assertThat(ModuleChecks.variableLines(net))
        .contains("conv_net_2d/batch_norm_0/offset -> f64[3]")
        .contains("conv_net_2d/batch_norm_0/scale -> f64[3] (non-trainable)");

    ConvNet2D normFinal =
        ConvNet2D.builder(new int[] {3, 4}, new int[] {3})
            .useBatchNorm(true)
            .normalizeFinal(true)
            .build();
    normFinal.call(x, false);
    assertThat(ModuleChecks.variableLines(normFinal))
        .anyMatch(l -> l.startsWith("conv_net_2d/batch_norm_1/"));
  }

  @Test
  void badPerLayerSettings_areClearErrors() {
    assertThatThrownBy(() -> ConvNet2D.builder(new int[] {3, 4, 5}, new int[] {3, 3}).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kernelShapes [3, 3] must have length 1")
        .hasMessageContaining("or 3");
    assertThatThrownBy(() -> ConvNet2D.builder(new int[] {}, new int[] {3}).build())
        .hasMessageContaining("at least one layer");
    assertThatThrownBy(
            () ->
                ConvNet2D.builder(new int[] {3}, new int[] {3})
                    .paddings(List.of(Pad.SAME, Pad.VALID))
                    .build())
        .hasMessageContaining("paddings");
    assertThatThrownBy(
            () ->
                ConvNet2D.builder(new int[] {3}, new int[] {3})
                    .useBias(false)
                    .bInit(dev.sonnet.initializers.Initializers.zeros())
                    .build())
        .hasMessageContaining("useBias is false");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    ConvNet2D net = ConvNet2D.builder(new int[] {2, 2}, new int[] {3}).strides(1, 2).build();
    Tensor x = ModuleChecks.uniform(8, 1, 4, 4, 1);
    net.call(x);
    ModuleChecks.checkGradients(net, net::call, x);
  }

  @Test
  void transpose_isTransposedConvReluPerLayer_withExplicitOutputShapes() {
    ConvNet2DTranspose net =
        ConvNet2DTranspose.builder(new int[] {3, 2}, new int[] {3})
            .strides(2)
            .outputShapes(List.of(List.of(4, 4), List.of(7, 7)))
            .build();
    Tensor x = ModuleChecks.uniform(9, 2, 2, 2, 2);
    net.call(x);
    for (int i = 0; i < 2; i++) {
      ModuleChecks.randomize(net.layers().get(i).b(), 60 + i);
    }
    Tensor y = net.call(x);

    int[][] outs = {{4, 4}, {7, 7}};
    int[] channels = {3, 2};
    double[] h = x.toDoubleArray();
    int[] spatial = {2, 2};
    int in = 2;
    for (int i = 0; i < 2; i++) {
      Conv2DTranspose conv = net.layers().get(i);
      // TensorFlow's SAME transposed convolution: the padding a SAME convolution from the output
      // back to the input would use; total max((in - 1) * s + k - out, 0), the smaller half first.
      int[] before = new int[2];
      for (int t = 0; t < 2; t++) {
        int total = Math.max((spatial[t] - 1) * 2 + 3 - outs[i][t], 0);
        before[t] = total / 2;
      }
      h =
          NnReference.addBias(
              NnReference.convTranspose(
                  h,
                  2,
                  spatial,
                  in,
                  conv.w().peek().toDoubleArray(),
                  new int[] {3, 3},
                  channels[i],
                  new int[] {2, 2},
                  new int[] {1, 1},
                  before,
                  outs[i]),
              conv.b().peek().toDoubleArray());
      if (i == 0) {
        h = relu(h);
      }
      spatial = outs[i];
      in = channels[i];
    }
    assertThat(y.shape().dims()).containsExactly(2, 7, 7, 2);
    ModuleChecks.assertClose(y, h, 1e-9);
  }

  @Test
  void transpose_defaultOutputShapes_multiplyByTheStride() {
    ConvNet2DTranspose net =
        ConvNet2DTranspose.builder(new int[] {2, 1}, new int[] {3}).strides(2).build();
    Tensor y = net.call(Tensor.zeros(DType.FLOAT32, 1, 3, 3, 2));
    assertThat(y.shape().dims()).containsExactly(1, 12, 12, 1);
    assertThat(ModuleChecks.variableLines(net))
        .anyMatch(l -> l.startsWith("conv_net_2d_transpose/conv_2d_transpose_1/w"));
  }
}
