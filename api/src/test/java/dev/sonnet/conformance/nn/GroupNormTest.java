package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.GroupNorm;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GroupNormTest {

  @Test
  void call_normalisesEachGroupOfEachExampleOverAllNonBatchAxes() {
    var gn = new GroupNorm(2);
    int n = 2;
    int sp = 3;
    int c = 4;
    Tensor x = ModuleChecks.uniform(1, n, sp, c);
    double[] xs = x.toDoubleArray();
    double[] expected = new double[xs.length];
    for (int b = 0; b < n; b++) {
      for (int g = 0; g < 2; g++) {
        double mean = 0;
        double var = 0;
        int count = sp * 2;
        for (int p = 0; p < sp; p++) {
          for (int k = 0; k < 2; k++) {
            mean += xs[(b * sp + p) * c + g * 2 + k] / count;
          }
        }
        for (int p = 0; p < sp; p++) {
          for (int k = 0; k < 2; k++) {
            double d = xs[(b * sp + p) * c + g * 2 + k] - mean;
            var += d * d / count;
          }
        }
        for (int p = 0; p < sp; p++) {
          for (int k = 0; k < 2; k++) {
            int i = (b * sp + p) * c + g * 2 + k;
            expected[i] = (xs[i] - mean) / Math.sqrt(var + 1e-5);
          }
        }
      }
    }
    ModuleChecks.assertClose(gn.call(x), expected, 1e-9);
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var gn = new GroupNorm(2);
    Tensor x = ModuleChecks.uniform(2, 2, 2, 4);
    gn.call(x);
    ModuleChecks.randomize(gn.scale(), 3);
    ModuleChecks.checkGradients(gn, gn::call, x);
  }

  @Test
  void call_channelsNotDivisible_teachesTheRule() {
    assertThatThrownBy(() -> new GroupNorm(3).call(ModuleChecks.uniform(1, 2, 4)))
        .hasMessageContaining("not divisible into 3 groups");
  }
}
