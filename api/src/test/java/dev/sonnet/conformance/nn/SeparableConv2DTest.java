package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.nn.Pad;
import dev.sonnet.nn.SeparableConv2D;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SeparableConv2DTest {

  // Depthwise sums of at most 9 products, then pointwise sums of C * M = 6 products, of values in
  // [-1, 1): float64 rounding stays a few ulps of 54, far below 1e-12.

  private static int[] ints(java.util.List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Depthwise (as a dense conv with a block-diagonal kernel), then a per-position linear map. */
  private static double[] reference(
      SeparableConv2D sep, Tensor x, int m, int o, int[] before, int[] out) {
    int[] s = x.shape().dims();
    int[] k = ints(sep.kernelShape());
    int c = s[3];
    double[] dense =
        NnReference.depthwiseAsDense(sep.wDw().peek().toDoubleArray(), k[0] * k[1], c, m);
    double[] h =
        NnReference.conv(
            x.toDoubleArray(),
            s[0],
            new int[] {s[1], s[2]},
            c,
            dense,
            k,
            c * m,
            ints(sep.stride()),
            ints(sep.rate()),
            before,
            out);
    return NnReference.linear(
        h,
        s[0] * out[0] * out[1],
        c * m,
        sep.wPw().peek().toDoubleArray(),
        o,
        sep.b() == null ? null : sep.b().peek().toDoubleArray());
  }

  @Test
  void call_sameStride2_isDepthwiseThenPointwisePlusBias() {
    var sep = SeparableConv2D.builder(4, 2, 3).stride(2).build();
    Tensor x = ModuleChecks.uniform(1, 2, 5, 4, 3);
    sep.call(x);
    ModuleChecks.randomize(sep.b(), 2);
    Tensor y = sep.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 3, 2, 4);
    int[][] same =
        NnReference.same(new int[] {5, 4}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
    ModuleChecks.assertClose(y, reference(sep, x, 2, 4, same[0], same[1]), 1e-12);
  }

  @Test
  void call_withPadFunction_padsTheDepthwiseStage() {
    var sep =
        SeparableConv2D.builder(2, 1, 2, 3)
            .rate(2, 1)
            .padding(Pad.of(Pad.Fn.CAUSAL))
            .withBias(false)
            .build();
    Tensor x = ModuleChecks.uniform(3, 1, 4, 4, 2);
    Tensor y = sep.call(x);
    // kEff = (2 - 1) * 2 + 1 = 3 and 3: causal pads [2, 0] on both.
    assertThat(y.shape().dims()).containsExactly(1, 4, 4, 2);
    ModuleChecks.assertClose(y, reference(sep, x, 1, 2, new int[] {2, 2}, new int[] {4, 4}), 1e-12);
  }

  @Test
  void call_channelsFirst_equalsChannelsLastTransposed() {
    var last = new SeparableConv2D(3, 2, 3);
    Tensor x = ModuleChecks.uniform(4, 1, 3, 3, 2);
    Tensor yLast = last.call(x);
    var first = SeparableConv2D.builder(3, 2, 3).dataFormat(DataFormat.CHANNELS_FIRST).build();
    first.call(x.permute(0, 3, 1, 2));
    first.wDw().assign(last.wDw().peek());
    first.wPw().assign(last.wPw().peek());
    Tensor yFirst = first.call(x.permute(0, 3, 1, 2));
    ModuleChecks.assertClose(
        yFirst, NnReference.toChannelsFirst(yLast.toDoubleArray(), 1, 9, 3), 1e-12);
  }

  @Test
  void variables_areDepthwisePointwiseAndBias() {
    var sep = new SeparableConv2D(8, 2, 3);
    sep.call(Tensor.zeros(DType.FLOAT32, 1, 5, 5, 3));
    assertThat(ModuleChecks.variableLines(sep))
        .containsExactly(
            "separable_conv2d/b -> f32[8]",
            "separable_conv2d/w_dw -> f32[3,3,3,2]",
            "separable_conv2d/w_pw -> f32[1,1,6,8]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var sep = SeparableConv2D.builder(2, 2, 2).stride(2).build();
    Tensor x = ModuleChecks.uniform(5, 1, 3, 4, 2);
    sep.call(x);
    ModuleChecks.randomize(sep.b(), 6);
    ModuleChecks.checkGradients(sep, sep::call, x);
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(() -> new SeparableConv2D(2, 0, 3))
        .hasMessageContaining("outputChannels and channelMultiplier must be >= 1");
    assertThatThrownBy(() -> new SeparableConv2D(0, 1, 3))
        .hasMessageContaining("outputChannels and channelMultiplier must be >= 1");
    assertThatThrownBy(
            () ->
                SeparableConv2D.builder(2, 1, 3)
                    .withBias(false)
                    .bInit(Initializers.zeros())
                    .build())
        .hasMessageContaining("when withBias is false, bInit must be null");
    assertThatThrownBy(() -> SeparableConv2D.builder(2, 1, 3, 3, 3).build())
        .hasMessageContaining("kernelShape");
  }

  @Test
  void constructor_withPadFunctionCountOtherThanOneOrRank_throwsStatingTheRule() {
    assertThatThrownBy(
            () ->
                SeparableConv2D.builder(2, 1, 3)
                    .padding(Pad.of(Pad.Fn.SAME, Pad.Fn.FULL, Pad.Fn.VALID))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 3 functions but the convolution has 2 spatial dimensions");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new SeparableConv2D(8, 2, 3).toString())
        .isEqualTo("SeparableConv2D(outputChannels=8, channelMultiplier=2, kernelShape=[3, 3])");
  }
}
