package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.nn.Conv3D;
import dev.sonnet.nn.Conv3DTranspose;
import dev.sonnet.nn.Pad;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Conv3DTest {

  // Each output sums at most 27 * 2 products of values in [-1, 1): in float64 the rounding error
  // is a few ulps of 54, far below 1e-12.

  private static int[] ints(java.util.List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double[] reference(Conv3D conv, Tensor x, int[] before, int[] out) {
    int[] s = x.shape().dims();
    double[] y =
        NnReference.conv(
            x.toDoubleArray(),
            s[0],
            new int[] {s[1], s[2], s[3]},
            s[4],
            conv.w().peek().toDoubleArray(),
            ints(conv.kernelShape()),
            conv.outputChannels(),
            ints(conv.stride()),
            ints(conv.rate()),
            before,
            out);
    return conv.b() == null ? y : NnReference.addBias(y, conv.b().peek().toDoubleArray());
  }

  @Test
  void call_sameStride2_matchesLoopReference() {
    var conv = new Conv3D(3, 3, 2);
    Tensor x = ModuleChecks.uniform(1, 2, 4, 5, 3, 2);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 2);
    int[][] same =
        NnReference.same(
            new int[] {4, 5, 3}, new int[] {3, 3, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1});
    Tensor y = conv.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 2, 3, 2, 3);
    ModuleChecks.assertClose(y, reference(conv, x, same[0], same[1]), 1e-12);
  }

  @Test
  void call_validPerDimensionKernelStrideAndRate_matchesLoopReference() {
    var conv = Conv3D.builder(2, 2, 3, 1).stride(1, 2, 1).rate(2, 1, 1).padding(Pad.VALID).build();
    Tensor x = ModuleChecks.uniform(3, 1, 5, 6, 2, 3);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 4);
    Tensor y = conv.call(x);
    int[] out =
        NnReference.explicitOut(
            new int[] {5, 6, 2},
            new int[] {2, 3, 1},
            new int[] {1, 2, 1},
            new int[] {2, 1, 1},
            new int[3],
            new int[3]);
    assertThat(out).containsExactly(3, 2, 2);
    assertThat(y.shape().dims()).containsExactly(1, 3, 2, 2, 2);
    ModuleChecks.assertClose(y, reference(conv, x, new int[3], out), 1e-12);
  }

  @Test
  void call_withPadFunctionsPerDimension_padsFixedAmounts() {
    var conv =
        Conv3D.builder(2, 3)
            .padding(Pad.of(Pad.Fn.CAUSAL, Pad.Fn.REVERSE_CAUSAL, Pad.Fn.VALID))
            .withBias(false)
            .build();
    Tensor x = ModuleChecks.uniform(5, 1, 3, 4, 3, 1);
    Tensor y = conv.call(x);
    int[] before = {2, 0, 0};
    int[] after = {0, 2, 0};
    int[] out =
        NnReference.explicitOut(
            new int[] {3, 4, 3},
            new int[] {3, 3, 3},
            new int[] {1, 1, 1},
            new int[] {1, 1, 1},
            before,
            after);
    assertThat(y.shape().dims()).containsExactly(1, 3, 4, 1, 2);
    ModuleChecks.assertClose(y, reference(conv, x, before, out), 1e-12);
  }

  @Test
  void call_channelsFirst_equalsChannelsLastTransposed() {
    var last = new Conv3D(2, 2);
    Tensor x = ModuleChecks.uniform(6, 1, 3, 3, 2, 2);
    Tensor yLast = last.call(x);
    var first = Conv3D.builder(2, 2).dataFormat(DataFormat.CHANNELS_FIRST).build();
    first.call(x.permute(0, 4, 1, 2, 3));
    first.w().assign(last.w().peek());
    Tensor yFirst = first.call(x.permute(0, 4, 1, 2, 3));
    assertThat(yFirst.shape().dims()).containsExactly(1, 2, 3, 3, 2);
    ModuleChecks.assertClose(
        yFirst, NnReference.toChannelsFirst(yLast.toDoubleArray(), 1, 18, 2), 1e-12);
  }

  @Test
  void variables_haveKernelInOutLayoutAndBias() {
    var conv = new Conv3D(8, 3);
    conv.call(Tensor.zeros(DType.FLOAT32, 1, 4, 4, 4, 2));
    assertThat(ModuleChecks.variableLines(conv))
        .containsExactly("conv3d/b -> f32[8]", "conv3d/w -> f32[3,3,3,2,8]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var conv = new Conv3D(2, 2, 2);
    Tensor x = ModuleChecks.uniform(7, 1, 3, 3, 2, 2);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 8);
    ModuleChecks.checkGradients(conv, conv::call, x);
  }

  @Test
  void call_onRank4Input_throwsNamingTheLayout() {
    assertThatThrownBy(() -> new Conv3D(2, 3).call(Tensor.zeros(DType.FLOAT32, 1, 4, 4, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[batch, spatial x 3, channels]");
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(
            () -> Conv3D.builder(2, 3).withBias(false).bInit(Initializers.zeros()).build())
        .hasMessageContaining("when withBias is false, bInit must be null");
    assertThatThrownBy(() -> Conv3D.builder(2, 3, 3).build())
        .hasMessageContaining("kernelShape [3, 3] has 2 entries");
    assertThatThrownBy(() -> Conv3D.builder(2, 3).rate(1, 0, 1).build())
        .hasMessageContaining("rate values must be >= 1");
  }

  @Test
  void transpose_mapsOutputsBackToTheInputShape() {
    var conv = new Conv3D(4, 3, 2);
    var back = conv.transpose();
    Tensor x = Tensor.ones(DType.FLOAT32, 1, 5, 4, 3, 2);
    assertThat(back.call(conv.call(x)).shape()).isEqualTo(x.shape());
    Conv3DTranspose t = back.target();
    assertThat(t.outputShape()).containsExactly(5, 4, 3);
    assertThat(ModuleChecks.variableLines(back))
        .containsExactly("conv3d_transpose/b -> f32[2]", "conv3d_transpose/w -> f32[3,3,3,2,4]");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new Conv3D(16, 3).toString())
        .isEqualTo("Conv3D(outputChannels=16, kernelShape=[3, 3, 3])");
  }
}
