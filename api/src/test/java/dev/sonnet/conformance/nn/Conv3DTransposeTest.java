package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.Conv3DTranspose;
import dev.sonnet.nn.Pad;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Conv3DTransposeTest {

  // Each output gathers at most 8 * ci = 16 (or 27 * 2 = 54) products of values in [-1, 1): in
  // float64 the rounding error is a few ulps of 54, far below 1e-12.

  private static int[] ints(java.util.List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double[] reference(Conv3DTranspose t, Tensor x, int[] before, int[] out) {
    int[] s = x.shape().dims();
    double[] y =
        NnReference.convTranspose(
            x.toDoubleArray(),
            s[0],
            new int[] {s[1], s[2], s[3]},
            s[4],
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
  void call_sameStride2_doublesEverySpatialSizeAndMatchesScatterReference() {
    var t = new Conv3DTranspose(2, 3, 2);
    Tensor x = ModuleChecks.uniform(1, 1, 2, 3, 2, 2);
    t.call(x);
    ModuleChecks.randomize(t.b(), 2);
    Tensor y = t.call(x);
    assertThat(y.shape().dims()).containsExactly(1, 4, 6, 4, 2);
    int[] out = {4, 6, 4};
    int[][] same =
        NnReference.same(out, new int[] {3, 3, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1});
    ModuleChecks.assertClose(y, reference(t, x, same[0], out), 1e-12);
  }

  @Test
  void call_validPerDimensionStride_hasLargestConsistentSize() {
    var t = Conv3DTranspose.builder(3, 2).stride(1, 2, 3).padding(Pad.VALID).build();
    Tensor x = ModuleChecks.uniform(3, 2, 2, 2, 2, 1);
    t.call(x);
    ModuleChecks.randomize(t.b(), 4);
    Tensor y = t.call(x);
    int[] out = {2 + 1, 2 * 2 + 1, 2 * 3 + 1};
    assertThat(y.shape().dims()).containsExactly(2, 3, 5, 7, 3);
    ModuleChecks.assertClose(y, reference(t, x, new int[3], out), 1e-12);
  }

  @Test
  void variables_haveOutInLayout() {
    var t = new Conv3DTranspose(4, 2);
    t.call(Tensor.zeros(DType.FLOAT32, 1, 2, 2, 2, 3));
    assertThat(ModuleChecks.variableLines(t))
        .containsExactly("conv3d_transpose/b -> f32[4]", "conv3d_transpose/w -> f32[2,2,2,4,3]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var t = new Conv3DTranspose(2, 2, 2);
    Tensor x = ModuleChecks.uniform(5, 1, 2, 2, 1, 2);
    t.call(x);
    ModuleChecks.randomize(t.b(), 6);
    ModuleChecks.checkGradients(t, t::call, x);
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(() -> Conv3DTranspose.builder(2, 3).padding(Pad.of(Pad.Fn.CAUSAL)).build())
        .hasMessageContaining("padding must be Pad.SAME or Pad.VALID");
    assertThatThrownBy(() -> Conv3DTranspose.builder(2, 3).outputShape(4, 4).build())
        .hasMessageContaining("must have 3 entries");
    assertThatThrownBy(() -> Conv3DTranspose.builder(2, 3, 3).build())
        .hasMessageContaining("kernelShape");
  }

  @Test
  void transpose_isAConv3DBackToTheInputShape() {
    var t = new Conv3DTranspose(4, 3, 2);
    var back = t.transpose();
    Tensor x = ModuleChecks.uniform(7, 1, 2, 2, 3, 3);
    assertThat(back.call(t.call(x)).shape().dims()).containsExactly(1, 2, 2, 3, 3);
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new Conv3DTranspose(8, 2, 2).toString())
        .isEqualTo("Conv3DTranspose(outputChannels=8, kernelShape=[2, 2, 2], stride=[2, 2, 2])");
  }
}
