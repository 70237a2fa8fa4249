package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.nn.InstanceNorm;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class InstanceNormTest {

  /**
   * Channels-last {@code x [b, s, c]} (spatial flattened): per example and channel, the mean and
   * biased variance over the {@code s} positions, then {@code (x - mean) / sqrt(var + eps) * scale
   * + offset}.
   */
  private static double[] reference(
      double[] x, int b, int s, int c, double[] scale, double[] offset, double eps) {
    double[] y = new double[x.length];
    for (int n = 0; n < b; n++) {
      for (int ch = 0; ch < c; ch++) {
        double mean = 0;
        for (int p = 0; p < s; p++) {
          mean += x[(n * s + p) * c + ch] / s;
        }
        double var = 0;
        for (int p = 0; p < s; p++) {
          double d = x[(n * s + p) * c + ch] - mean;
          var += d * d / s;
        }
        for (int p = 0; p < s; p++) {
          int i = (n * s + p) * c + ch;
          double v = (x[i] - mean) / Math.sqrt(var + eps);
          y[i] = v * (scale == null ? 1 : scale[ch]) + (offset == null ? 0 : offset[ch]);
        }
      }
    }
    return y;
  }

  // Normalised values are O(1) and the moments are sums of at most 12 terms: float64 rounding is
  // a few ulps, but the division by sqrt(var + eps) can amplify it for a small variance, so 1e-9
  // (as for LayerNorm) leaves a wide margin while any wrong axis would be off by O(1).

  @Test
  void call_normalisesEachExampleAndChannelOverSpaceThenScalesAndShifts() {
    var norm = new InstanceNorm(true, true);
    Tensor x = ModuleChecks.uniform(1, 2, 3, 4, 3);
    norm.call(x);
    ModuleChecks.randomize(norm.scale(), 2);
    ModuleChecks.randomize(norm.offset(), 3);
    double[] expected =
        reference(
            x.toDoubleArray(),
            2,
            12,
            3,
            norm.scale().peek().toDoubleArray(),
            norm.offset().peek().toDoubleArray(),
            1e-5);
    ModuleChecks.assertClose(norm.call(x), expected, 1e-9);
  }

  @Test
  void call_withoutScaleAndOffset_givesZeroMeanUnitVariancePerInstance() {
    var norm = InstanceNorm.builder(false, false).eps(1e-3).build();
    Tensor x = ModuleChecks.uniform(4, 3, 5, 2);
    ModuleChecks.assertClose(
        norm.call(x), reference(x.toDoubleArray(), 3, 5, 2, null, null, 1e-3), 1e-9);
  }

  @Test
  void call_channelsFirst_equalsChannelsLastTransposed() {
    var last = new InstanceNorm(true, true);
    Tensor x = ModuleChecks.uniform(5, 2, 3, 3, 4);
    last.call(x);
    ModuleChecks.randomize(last.scale(), 6);
    ModuleChecks.randomize(last.offset(), 7);
    Tensor yLast = last.call(x);
    var first = InstanceNorm.builder(true, true).dataFormat(DataFormat.CHANNELS_FIRST).build();
    first.call(x.permute(0, 3, 1, 2));
    first.scale().assign(last.scale().peek().reshape(4, 1, 1));
    first.offset().assign(last.offset().peek().reshape(4, 1, 1));
    ModuleChecks.assertClose(
        first.call(x.permute(0, 3, 1, 2)),
        NnReference.toChannelsFirst(yLast.toDoubleArray(), 2, 9, 4),
        1e-9);
  }

  @Test
  void variables_arePerChannel() {
    var last = new InstanceNorm(true, true);
    last.call(ModuleChecks.uniform(1, 2, 3, 3, 5));
    assertThat(ModuleChecks.variableLines(last))
        .containsExactly("instance_norm/offset -> f64[5]", "instance_norm/scale -> f64[5]");
    var first = InstanceNorm.builder(true, false).dataFormat(DataFormat.CHANNELS_FIRST).build();
    first.call(ModuleChecks.uniform(1, 2, 5, 3, 3));
    assertThat(ModuleChecks.variableLines(first))
        .containsExactly("instance_norm/scale -> f64[5,1,1]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var norm = new InstanceNorm(true, true);
    Tensor x = ModuleChecks.uniform(8, 2, 4, 2);
    norm.call(x);
    ModuleChecks.randomize(norm.scale(), 9);
    ModuleChecks.randomize(norm.offset(), 10);
    ModuleChecks.checkGradients(norm, norm::call, x);
  }

  @Test
  void call_onRank2Input_throwsForLackOfSpatialAxes() {
    assertThatThrownBy(() -> new InstanceNorm(true, true).call(ModuleChecks.uniform(1, 2, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("has no spatial axes");
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(
            () -> InstanceNorm.builder(false, true).scaleInit(Initializers.ones()).build())
        .hasMessageContaining("when createScale is false, scaleInit must be null");
    assertThatThrownBy(
            () -> InstanceNorm.builder(true, false).offsetInit(Initializers.zeros()).build())
        .hasMessageContaining("when createOffset is false, offsetInit must be null");
    assertThatThrownBy(() -> InstanceNorm.builder(true, true).eps(0).build())
        .hasMessageContaining("eps must be > 0");
  }

  @Test
  void repr_showsTheFlags() {
    assertThat(new InstanceNorm(true, false).toString())
        .isEqualTo("InstanceNorm(createScale=true, createOffset=false)");
  }
}
