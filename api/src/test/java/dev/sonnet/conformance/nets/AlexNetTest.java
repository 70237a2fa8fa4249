package dev.sonnet.conformance.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.conformance.nn.NnReference;
import dev.sonnet.module.ModuleException;
import dev.sonnet.nets.AlexNet;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Sonnet 1's AlexNet (MINI run against plain loops; FULL's geometry). */
class AlexNetTest {
  private static final int[][] MINI = {
    {48, 3, 1, 3, 1}, {128, 3, 1, 3, 1}, {192, 3, 1, 0, 0}, {192, 3, 1, 0, 0}, {128, 3, 1, 3, 1}
  };

  private static double[] relu(double[] x) {
    double[] y = x.clone();
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.max(0, y[i]);
    }
    return y;
  }

  /** VALID max pool, channels-last, window {@code k}, stride {@code s}. */
  private static double[] maxPool(double[] x, int batch, int h, int w, int c, int k, int s) {
    int oh = (h - k) / s + 1;
    int ow = (w - k) / s + 1;
    double[] y = new double[batch * oh * ow * c];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int ch = 0; ch < c; ch++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int di = 0; di < k; di++) {
              for (int dj = 0; dj < k; dj++) {
                m = Math.max(m, x[((b * h + i * s + di) * w + j * s + dj) * c + ch]);
              }
            }
            y[((b * oh + i) * ow + j) * c + ch] = m;
          }
        }
      }
    }
    return y;
  }

  @Test
  void mini_isConvReluPoolStackThenTwoReluLinears() {
    AlexNet net = AlexNet.mini().build();
    Tensor x = ModuleChecks.uniform(11, 2, 18, 17, 3);
    net.call(x);
    for (int i = 0; i < 5; i++) {
      ModuleChecks.randomize(net.convModules().get(i).b(), 110 + i);
    }
    Tensor y = net.call(x);

    double[] h = x.toDoubleArray();
    int hh = 18;
    int ww = 17;
    int c = 3;
    for (int i = 0; i < 5; i++) {
      Conv2D conv = net.convModules().get(i);
      int k = MINI[i][1];
      int[] out = {hh - k + 1, ww - k + 1};
      h =
          relu(
              NnReference.addBias(
                  NnReference.conv(
                      h,
                      2,
                      new int[] {hh, ww},
                      c,
                      conv.w().peek().toDoubleArray(),
                      new int[] {k, k},
                      MINI[i][0],
                      new int[] {1, 1},
                      new int[] {1, 1},
                      new int[] {0, 0},
                      out),
                  conv.b().peek().toDoubleArray()));
      hh = out[0];
      ww = out[1];
      c = MINI[i][0];
      if (MINI[i][3] > 0) {
        h = maxPool(h, 2, hh, ww, c, MINI[i][3], MINI[i][4]);
        hh = (hh - MINI[i][3]) / MINI[i][4] + 1;
        ww = (ww - MINI[i][3]) / MINI[i][4] + 1;
      }
    }
    assertThat(hh * ww).isEqualTo(2); // 18 x 17 in: 2 x 1 out
    int features = hh * ww * c;
    for (int i = 0; i < 2; i++) {
      Linear fc = net.linearModules().get(i);
      h =
          relu(
              NnReference.linear(
                  h,
                  2,
                  features,
                  fc.w().peek().toDoubleArray(),
                  1024,
                  fc.b().peek().toDoubleArray()));
      features = 1024;
    }
    assertThat(y.shape().dims()).containsExactly(2, 1024);
    // float64 throughout; sums of up to 1728 products of O(1) values: error far below 1e-9.
    ModuleChecks.assertClose(y, h, 1e-9);
  }

  @Test
  void minInputSizes_areSonnets() {
    assertThat(AlexNet.full().build().minInputSize()).isEqualTo(195);
    assertThat(AlexNet.mini().build().minInputSize()).isEqualTo(17);
    assertThatThrownBy(() -> AlexNet.mini().build().call(Tensor.zeros(DType.FLOAT32, 1, 16, 20, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("alex_net_mini")
        .hasMessageContaining("at least 17")
        .hasMessageContaining("[1, 16, 20, 3]");
  }

  @Test
  void batchNormAndDropout_needIsTraining_andNameLikeSonnet() {
    AlexNet net =
        AlexNet.mini()
            .useBatchNorm(true)
            .bnOnFcLayers(true)
            .dropoutRate(0.5)
            .dropoutSeed(3L)
            .build();
    Tensor x = ModuleChecks.uniform(12, 2, 17, 17, 1);
    assertThatThrownBy(() -> net.call(x))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("call(x, isTraining)");
    Tensor train = net.call(x, true);
    // Dropout zeroes about half the units while training, none in evaluation.
    long zerosTrain = countZeros(train);
    assertThat(ModuleChecks.variableLines(net))
        .anyMatch(l -> l.startsWith("alex_net_mini/batch_norm/"))
        .anyMatch(l -> l.startsWith("alex_net_mini/batch_norm_6/"))
        .noneMatch(l -> l.startsWith("alex_net_mini/batch_norm_7/"));
    Tensor eval = net.call(x, false, true);
    assertThat(zerosTrain).isGreaterThan(countZeros(eval));
    assertThatThrownBy(() -> AlexNet.mini().dropoutRate(0.5).build())
        .hasMessageContaining("dropoutSeed exactly when dropoutRate > 0");
  }

  private static long countZeros(Tensor t) {
    long n = 0;
    for (double v : t.toDoubleArray()) {
      n += v == 0 ? 1 : 0;
    }
    return n;
  }
}
