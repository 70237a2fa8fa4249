package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.Pad;
import dev.sonnet.nn.SeparableConv1D;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SeparableConv1DTest {

  // Depthwise sums of at most 3 products, then pointwise sums of C * M <= 6 products, of values
  // in [-1, 1): float64 rounding stays a few ulps of 18, far below 1e-12.

  /** Depthwise (as a dense conv with a block-diagonal kernel), then a per-position linear map. */
  private static double[] reference(
      SeparableConv1D sep, Tensor x, int m, int o, int before, int out) {
    int[] s = x.shape().dims();
    int k = sep.kernelShape().get(0);
    int c = s[2];
    double[] dense = NnReference.depthwiseAsDense(sep.wDw().peek().toDoubleArray(), k, c, m);
    double[] h =
        NnReference.conv(
            x.toDoubleArray(),
            s[0],
            new int[] {s[1]},
            c,
            dense,
            new int[] {k},
            c * m,
            new int[] {sep.stride().get(0)},
            new int[] {sep.rate().get(0)},
            new int[] {before},
            new int[] {out});
    return NnReference.linear(
        h,
        s[0] * out,
        c * m,
        sep.wPw().peek().toDoubleArray(),
        o,
        sep.b() == null ? null : sep.b().peek().toDoubleArray());
  }

  @Test
  void call_same_isDepthwiseThenPointwisePlusBias() {
    var sep = new SeparableConv1D(4, 2, 3);
    Tensor x = ModuleChecks.uniform(1, 2, 6, 3);
    sep.call(x);
    ModuleChecks.randomize(sep.b(), 2);
    Tensor y = sep.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 6, 4);
    ModuleChecks.assertClose(y, reference(sep, x, 2, 4, 1, 6), 1e-12);
  }

  @Test
  void call_validStride2Dilated_matchesLoopReference() {
    var sep = SeparableConv1D.builder(3, 1, 2).stride(2).rate(3).padding(Pad.VALID).build();
    Tensor x = ModuleChecks.uniform(3, 1, 9, 2);
    sep.call(x);
    ModuleChecks.randomize(sep.b(), 4);
    Tensor y = sep.call(x);
    // kEff = 4: floor((9 - 4) / 2) + 1 = 3.
    assertThat(y.shape().dims()).containsExactly(1, 3, 3);
    ModuleChecks.assertClose(y, reference(sep, x, 1, 3, 0, 3), 1e-12);
  }

  @Test
  void variables_areDepthwisePointwiseAndBias() {
    var sep = new SeparableConv1D(5, 3, 2);
    sep.call(Tensor.zeros(DType.FLOAT32, 1, 4, 2));
    assertThat(ModuleChecks.variableLines(sep))
        .containsExactly(
            "separable_conv1d/b -> f32[5]",
            "separable_conv1d/w_dw -> f32[2,2,3]",
            "separable_conv1d/w_pw -> f32[1,6,5]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var sep = new SeparableConv1D(2, 2, 3);
    Tensor x = ModuleChecks.uniform(5, 2, 4, 2);
    sep.call(x);
    ModuleChecks.randomize(sep.b(), 6);
    ModuleChecks.checkGradients(sep, sep::call, x);
  }

  @Test
  void call_onRank4Input_throwsNamingTheLayout() {
    assertThatThrownBy(
            () -> new SeparableConv1D(2, 1, 3).call(Tensor.zeros(DType.FLOAT32, 1, 4, 4, 2)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[batch, spatial x 1, channels]");
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(() -> SeparableConv1D.builder(2, 1, 3, 3).build())
        .hasMessageContaining("kernelShape [3, 3] has 2 entries");
    assertThatThrownBy(() -> new SeparableConv1D(2, -1, 3))
        .hasMessageContaining("channelMultiplier must be >= 1");
  }

  @Test
  void constructor_withPadFunctionCountOtherThanOneOrRank_throwsStatingTheRule() {
    assertThatThrownBy(
            () ->
                SeparableConv1D.builder(2, 1, 3).padding(Pad.of(Pad.Fn.SAME, Pad.Fn.FULL)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 2 functions but the convolution has 1 spatial dimensions");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new SeparableConv1D(4, 1, 3).toString())
        .isEqualTo("SeparableConv1D(outputChannels=4, channelMultiplier=1, kernelShape=[3])");
  }
}
