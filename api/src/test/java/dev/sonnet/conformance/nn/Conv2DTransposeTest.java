package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Conv2DTranspose;
import dev.sonnet.nn.Pad;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Conv2DTransposeTest {

  // Each output gathers at most k * k * ci = 18 products of values in [-1, 1): in float64 the
  // rounding error is a few ulps of 18, far below 1e-12.

  private static int[] ints(java.util.List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The scatter reference; {@code before} is the padding of the forward conv out -> in. */
  private static double[] reference(Conv2DTranspose t, Tensor x, int[] before, int[] out) {
    int[] s = x.shape().dims();
    double[] y =
        NnReference.convTranspose(
            x.toDoubleArray(),
            s[0],
            new int[] {s[1], s[2]},
            s[3],
            t.w().peek().toDoubleArray(),
            ints(t.kernelShape()),
            t.outputChannels(),
            ints(t.stride()),
            ints(t.rate()),
            before,
            out);
    return t.b() == null ? y : NnReference.addBias(y, t.b().peek().toDoubleArray());
  }

  @Test
  void call_sameStride2_defaultsToInputTimesStrideAndMatchesScatterReference() {
    var t = new Conv2DTranspose(3, 3, 2);
    Tensor x = ModuleChecks.uniform(1, 2, 3, 4, 2);
    t.call(x);
    ModuleChecks.randomize(t.b(), 2);
    Tensor y = t.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 6, 8, 3);
    int[][] same =
        NnReference.same(new int[] {6, 8}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
    ModuleChecks.assertClose(y, reference(t, x, same[0], new int[] {6, 8}), 1e-12);
  }

  @Test
  void call_sameWithExplicitOddOutputShape_padsAsTheForwardConvolution() {
    // A SAME conv with stride 2 maps 5 (and 6) to 3; asking for 5 gives total padding
    // (3 - 1) * 2 + 3 - 5 = 2, one before.
    var t = Conv2DTranspose.builder(2, 3).outputShape(5, 7).stride(2).build();
    Tensor x = ModuleChecks.uniform(3, 1, 3, 4, 2);
    t.call(x);
    ModuleChecks.randomize(t.b(), 4);
    Tensor y = t.call(x);
    assertThat(y.shape().dims()).containsExactly(1, 5, 7, 2);
    int[][] same =
        NnReference.same(new int[] {5, 7}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
    assertThat(same[0]).containsExactly(1, 1);
    ModuleChecks.assertClose(y, reference(t, x, same[0], new int[] {5, 7}), 1e-12);
  }

  @Test
  void call_validRectangularKernel_hasLargestConsistentSize() {
    var t =
        Conv2DTranspose.builder(2, 2, 3).stride(2, 1).padding(Pad.VALID).withBias(false).build();
    Tensor x = ModuleChecks.uniform(5, 1, 3, 3, 2);
    Tensor y = t.call(x);
    // in * stride + k - 1 per dimension.
    assertThat(y.shape().dims()).containsExactly(1, 3 * 2 + 1, 3 + 2, 2);
    ModuleChecks.assertClose(y, reference(t, x, new int[2], new int[] {7, 5}), 1e-12);
  }

  @Test
  void call_validDilated_addsTheEffectiveKernelMinusOne() {
    var t = Conv2DTranspose.builder(2, 3, 2).rate(2, 3).padding(Pad.VALID).build();
    Tensor x = ModuleChecks.uniform(12, 1, 3, 2, 2);
    t.call(x);
    ModuleChecks.randomize(t.b(), 13);
    Tensor y = t.call(x);
    // kEff = (3 - 1) * 2 + 1 = 5 and (2 - 1) * 3 + 1 = 4: 3 + 4 and 2 + 3.
    assertThat(y.shape().dims()).containsExactly(1, 7, 5, 2);
    ModuleChecks.assertClose(y, reference(t, x, new int[2], new int[] {7, 5}), 1e-12);
  }

  @Test
  void call_isTheGradientOfTheForwardConvolution() {
    // <conv(a), b> = <a, conv_transpose(b)> when both share the kernel (w's layout is [k, out,
    // in] for the transpose, [k, in, out] for the conv, so the same array serves both).
    var conv = Conv2D.builder(3, 3).stride(2).withBias(false).build();
    var t = Conv2DTranspose.builder(2, 3).outputShape(5, 6).stride(2).withBias(false).build();
    Tensor a = ModuleChecks.uniform(6, 1, 5, 6, 2);
    Tensor ya = conv.call(a);
    Tensor b = ModuleChecks.uniform(7, ya.shape().dims());
    t.call(b);
    t.w().assign(conv.w().peek());
    double lhs = ya.mul(b).sum().item();
    double rhs = a.mul(t.call(b)).sum().item();
    assertThat(lhs).isCloseTo(rhs, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void variables_haveOutInLayout() {
    var t = new Conv2DTranspose(5, 3);
    t.call(Tensor.zeros(DType.FLOAT32, 1, 4, 4, 2));
    assertThat(ModuleChecks.variableLines(t))
        .containsExactly("conv2d_transpose/b -> f32[5]", "conv2d_transpose/w -> f32[3,3,5,2]");
    assertThat(t.inputChannels()).isEqualTo(2);
  }

  @Test
  void call_channelsFirst_equalsChannelsLastTransposed() {
    var last = new Conv2DTranspose(2, 3, 2);
    Tensor x = ModuleChecks.uniform(8, 1, 2, 3, 2);
    Tensor yLast = last.call(x);
    var first =
        Conv2DTranspose.builder(2, 3).stride(2).dataFormat(DataFormat.CHANNELS_FIRST).build();
    first.call(x.permute(0, 3, 1, 2));
    first.w().assign(last.w().peek());
    Tensor yFirst = first.call(x.permute(0, 3, 1, 2));
    assertThat(yFirst.shape().dims()).containsExactly(1, 2, 4, 6);
    ModuleChecks.assertClose(
        yFirst, NnReference.toChannelsFirst(yLast.toDoubleArray(), 1, 24, 2), 1e-12);
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var t = new Conv2DTranspose(2, 3, 2);
    Tensor x = ModuleChecks.uniform(9, 1, 2, 3, 2);
    t.call(x);
    ModuleChecks.randomize(t.b(), 10);
    ModuleChecks.checkGradients(t, t::call, x);
  }

  @Test
  void call_withOtherSpatialShape_throwsNamingTheFixedOutput() {
    var t = new Conv2DTranspose(2, 3, 2);
    t.call(Tensor.zeros(DType.FLOAT32, 1, 3, 3, 2));
    assertThatThrownBy(() -> t.call(Tensor.zeros(DType.FLOAT32, 1, 4, 3, 2)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("built for [3, 3]")
        .hasMessageContaining("[6, 6]");
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(() -> Conv2DTranspose.builder(2, 3).padding(Pad.of(Pad.Fn.SAME)).build())
        .hasMessageContaining("padding must be Pad.SAME or Pad.VALID");
    assertThatThrownBy(() -> Conv2DTranspose.builder(2, 3).outputShape(4).build())
        .hasMessageContaining("outputShape [4] must have 2 entries");
    assertThatThrownBy(
            () -> Conv2DTranspose.builder(2, 3).withBias(false).bInit(Initializers.zeros()).build())
        .hasMessageContaining("when withBias is false, bInit must be null");
    assertThatThrownBy(() -> new Conv2DTranspose(0, 3))
        .hasMessageContaining("outputChannels must be >= 1");
  }

  @Test
  void transpose_isAConv2DBackToTheInputChannels() {
    var t = new Conv2DTranspose(4, 3, 2);
    var back = t.transpose();
    Tensor x = ModuleChecks.uniform(11, 2, 3, 2, 5);
    assertThat(back.call(t.call(x)).shape().dims()).containsExactly(2, 3, 2, 5);
    assertThat(ModuleChecks.variableLines(back))
        .containsExactly(
            "conv2d_transpose_transpose/b -> f64[5]",
            "conv2d_transpose_transpose/w -> f64[3,3,4,5]");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new Conv2DTranspose(16, 3).toString())
        .isEqualTo("Conv2DTranspose(outputChannels=16, kernelShape=[3, 3])");
  }
}
