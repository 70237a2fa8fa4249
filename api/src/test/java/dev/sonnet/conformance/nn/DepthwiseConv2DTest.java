package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.nn.DepthwiseConv2D;
import dev.sonnet.nn.Pad;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DepthwiseConv2DTest {

  // The reference runs a dense convolution whose kernel is zero off the channel's own filters, so
  // each output sums at most k * k = 9 nonzero products of values in [-1, 1) (the zeros add
  // nothing): float64 rounding stays a few ulps of 9, far below 1e-12.

  private static int[] ints(java.util.List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double[] reference(DepthwiseConv2D dw, Tensor x, int m, int[] before, int[] out) {
    int[] s = x.shape().dims();
    int[] k = ints(dw.kernelShape());
    double[] dense =
        NnReference.depthwiseAsDense(dw.w().peek().toDoubleArray(), k[0] * k[1], s[3], m);
    double[] y =
        NnReference.conv(
            x.toDoubleArray(),
            s[0],
            new int[] {s[1], s[2]},
            s[3],
            dense,
            k,
            s[3] * m,
            ints(dw.stride()),
            ints(dw.rate()),
            before,
            out);
    return dw.b() == null ? y : NnReference.addBias(y, dw.b().peek().toDoubleArray());
  }

  @Test
  void call_multiplier2_outputChannelCTimesMPlusJIsChannelCWithFilterJ() {
    var dw = DepthwiseConv2D.builder(3).channelMultiplier(2).build();
    Tensor x = ModuleChecks.uniform(1, 2, 4, 5, 3);
    dw.call(x);
    ModuleChecks.randomize(dw.b(), 2);
    Tensor y = dw.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 4, 5, 6);
    int[][] same =
        NnReference.same(new int[] {4, 5}, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1});
    ModuleChecks.assertClose(y, reference(dw, x, 2, same[0], same[1]), 1e-12);
  }

  @Test
  void call_validStridedDilated_matchesLoopReference() {
    var dw = DepthwiseConv2D.builder(2, 3).stride(2, 1).rate(1, 2).padding(Pad.VALID).build();
    Tensor x = ModuleChecks.uniform(3, 1, 5, 7, 2);
    dw.call(x);
    ModuleChecks.randomize(dw.b(), 4);
    Tensor y = dw.call(x);
    int[] out =
        NnReference.explicitOut(
            new int[] {5, 7},
            new int[] {2, 3},
            new int[] {2, 1},
            new int[] {1, 2},
            new int[2],
            new int[2]);
    assertThat(y.shape().dims()).containsExactly(1, out[0], out[1], 2);
    ModuleChecks.assertClose(y, reference(dw, x, 1, new int[2], out), 1e-12);
  }

  @Test
  void call_channelsFirst_equalsChannelsLastTransposed() {
    var last = DepthwiseConv2D.builder(3).channelMultiplier(2).build();
    Tensor x = ModuleChecks.uniform(5, 1, 3, 4, 2);
    Tensor yLast = last.call(x);
    var first =
        DepthwiseConv2D.builder(3)
            .channelMultiplier(2)
            .dataFormat(DataFormat.CHANNELS_FIRST)
            .build();
    first.call(x.permute(0, 3, 1, 2));
    first.w().assign(last.w().peek());
    Tensor yFirst = first.call(x.permute(0, 3, 1, 2));
    assertThat(yFirst.shape().dims()).containsExactly(1, 4, 3, 4);
    ModuleChecks.assertClose(
        yFirst, NnReference.toChannelsFirst(yLast.toDoubleArray(), 1, 12, 4), 1e-12);
  }

  @Test
  void variables_haveKernelChannelMultiplierLayout() {
    var dw = DepthwiseConv2D.builder(3).channelMultiplier(4).build();
    dw.call(Tensor.zeros(DType.FLOAT32, 1, 5, 5, 3));
    assertThat(ModuleChecks.variableLines(dw))
        .containsExactly("depthwise_conv2d/b -> f32[12]", "depthwise_conv2d/w -> f32[3,3,3,4]");
  }

  @Test
  void defaultInit_hasStddevFromTheKernelAreaOnly() {
    // Truncated at 2 sigma: |w| <= 2 / sqrt(kh * kw) with no channel factor, as in Sonnet.
    var dw = DepthwiseConv2D.builder(2).channelMultiplier(8).build();
    dw.call(Tensor.zeros(DType.FLOAT64, 1, 2, 2, 64));
    double max = 0;
    for (double v : dw.w().peek().toDoubleArray()) {
      max = Math.max(max, Math.abs(v));
    }
    // 2048 samples of a normal truncated at 2 sigma = 1: some reach beyond 0.9 with
    // probability 1 - (P(|z| < 1.8) / P(|z| < 2))^2048, indistinguishable from 1.
    assertThat(max).isBetween(0.9, 1.0 + 1e-12);
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var dw = DepthwiseConv2D.builder(2).channelMultiplier(2).stride(2).build();
    Tensor x = ModuleChecks.uniform(7, 1, 3, 4, 2);
    dw.call(x);
    ModuleChecks.randomize(dw.b(), 8);
    ModuleChecks.checkGradients(dw, dw::call, x);
  }

  @Test
  void call_withOtherChannelCount_teachesTheBuiltSize() {
    var dw = new DepthwiseConv2D(3);
    dw.call(Tensor.zeros(DType.FLOAT32, 1, 4, 4, 3));
    assertThatThrownBy(() -> dw.call(Tensor.zeros(DType.FLOAT32, 1, 4, 4, 2)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("built for 3");
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(() -> DepthwiseConv2D.builder(3).channelMultiplier(0).build())
        .hasMessageContaining("channelMultiplier must be >= 1");
    assertThatThrownBy(() -> DepthwiseConv2D.builder(3).padding(Pad.of(Pad.Fn.FULL)).build())
        .hasMessageContaining("padding must be Pad.SAME or Pad.VALID");
    assertThatThrownBy(
            () -> DepthwiseConv2D.builder(3).withBias(false).bInit(Initializers.zeros()).build())
        .hasMessageContaining("when withBias is false, bInit must be null");
    assertThatThrownBy(() -> DepthwiseConv2D.builder(3, 3, 3).build())
        .hasMessageContaining("kernelShape");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new DepthwiseConv2D(3).toString()).isEqualTo("DepthwiseConv2D(kernelShape=[3, 3])");
    assertThat(
            DepthwiseConv2D.builder(3)
                .channelMultiplier(2)
                .stride(2)
                .padding(Pad.VALID)
                .withBias(false)
                .build()
                .toString())
        .isEqualTo(
            "DepthwiseConv2D(\n  kernelShape=[3, 3],\n"
                + "  channelMultiplier=2,\n  stride=[2, 2],\n  padding=VALID,\n  withBias=false\n)");
  }
}
