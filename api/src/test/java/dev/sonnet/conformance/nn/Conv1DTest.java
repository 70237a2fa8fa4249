package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.ModuleException;
import dev.sonnet.nn.Conv1D;
import dev.sonnet.nn.Conv1DTranspose;
import dev.sonnet.nn.Pad;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Conv1DTest {

  // Outputs are sums of at most k * c = 9 products of values in [-1, 1): in float64 the rounding
  // error is a few ulps of 9, far below 1e-12.

  private static double[] reference(Conv1D conv, Tensor x, int before, int out) {
    int[] s = x.shape().dims();
    double[] y =
        NnReference.conv(
            x.toDoubleArray(),
            s[0],
            new int[] {s[1]},
            s[2],
            conv.w().peek().toDoubleArray(),
            new int[] {conv.kernelShape().get(0)},
            conv.outputChannels(),
            new int[] {conv.stride().get(0)},
            new int[] {conv.rate().get(0)},
            new int[] {before},
            new int[] {out});
    return conv.b() == null ? y : NnReference.addBias(y, conv.b().peek().toDoubleArray());
  }

  @Test
  void call_sameStride2_hasCeilSizeAndMatchesLoopReference() {
    var conv = new Conv1D(3, 3, 2);
    Tensor x = ModuleChecks.uniform(1, 2, 7, 3);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 2);
    int[][] same = NnReference.same(new int[] {7}, new int[] {3}, new int[] {2}, new int[] {1});
    Tensor y = conv.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 4, 3);
    ModuleChecks.assertClose(y, reference(conv, x, same[0][0], same[1][0]), 1e-12);
  }

  @Test
  void call_validDilated_matchesLoopReference() {
    var conv = Conv1D.builder(2, 3).rate(2).padding(Pad.VALID).build();
    Tensor x = ModuleChecks.uniform(3, 2, 9, 2);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 4);
    Tensor y = conv.call(x);
    // kEff = (3 - 1) * 2 + 1 = 5: 9 - 5 + 1 = 5 outputs.
    assertThat(y.shape().dims()).containsExactly(2, 5, 2);
    ModuleChecks.assertClose(y, reference(conv, x, 0, 5), 1e-12);
  }

  @Test
  void call_withFullPadFunction_padsKEffMinusOneOnBothSides() {
    var conv = Conv1D.builder(2, 3).padding(Pad.of(Pad.Fn.FULL)).withBias(false).build();
    Tensor x = ModuleChecks.uniform(5, 1, 4, 2);
    Tensor y = conv.call(x);
    assertThat(y.shape().dims()).containsExactly(1, 6, 2);
    ModuleChecks.assertClose(y, reference(conv, x, 2, 6), 1e-12);
  }

  @Test
  void call_channelsFirst_equalsChannelsLastTransposed() {
    var last = new Conv1D(3, 3);
    Tensor x = ModuleChecks.uniform(6, 2, 5, 2);
    Tensor yLast = last.call(x);
    var first = Conv1D.builder(3, 3).dataFormat(DataFormat.CHANNELS_FIRST).build();
    first.call(x.permute(0, 2, 1));
    first.w().assign(last.w().peek());
    Tensor yFirst = first.call(x.permute(0, 2, 1));
    assertThat(yFirst.shape().dims()).containsExactly(2, 3, 5);
    ModuleChecks.assertClose(
        yFirst, NnReference.toChannelsFirst(yLast.toDoubleArray(), 2, 5, 3), 1e-12);
  }

  @Test
  void variables_haveKernelInOutLayoutAndBias() {
    var conv = new Conv1D(4, 5);
    conv.call(Tensor.zeros(DType.FLOAT32, 1, 8, 3));
    assertThat(ModuleChecks.variableLines(conv))
        .containsExactly("conv1d/b -> f32[4]", "conv1d/w -> f32[5,3,4]");
    assertThat(conv.variables()).hasSize(2);
    assertThat(conv.inputChannels()).isEqualTo(3);
  }

  @Test
  void withoutBias_hasOnlyW() {
    var conv = Conv1D.builder(4, 2).withBias(false).build();
    conv.call(Tensor.zeros(DType.FLOAT32, 1, 8, 3));
    assertThat(ModuleChecks.variableLines(conv)).containsExactly("conv1d/w -> f32[2,3,4]");
    assertThat(conv.b()).isNull();
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var conv = new Conv1D(2, 3, 2);
    Tensor x = ModuleChecks.uniform(7, 2, 5, 2);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 8);
    ModuleChecks.checkGradients(conv, conv::call, x);
  }

  @Test
  void call_withOtherChannelCount_teachesTheBuiltSize() {
    var conv = new Conv1D(2, 3);
    conv.call(Tensor.zeros(DType.FLOAT32, 1, 4, 3));
    assertThatThrownBy(() -> conv.call(Tensor.zeros(DType.FLOAT32, 1, 4, 5)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("built for 3");
  }

  @Test
  void call_onRank4Input_throwsNamingTheLayout() {
    assertThatThrownBy(() -> new Conv1D(2, 3).call(Tensor.zeros(DType.FLOAT32, 1, 4, 4, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[batch, spatial x 1, channels]");
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(() -> new Conv1D(0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outputChannels must be >= 1");
    assertThatThrownBy(
            () -> Conv1D.builder(2, 3).withBias(false).bInit(Initializers.zeros()).build())
        .hasMessageContaining("when withBias is false, bInit must be null");
    assertThatThrownBy(() -> Conv1D.builder(2, 3, 3).build()).hasMessageContaining("kernelShape");
    assertThatThrownBy(() -> Conv1D.builder(2, 3).stride(0).build())
        .hasMessageContaining("stride values must be >= 1");
    assertThatThrownBy(() -> Conv1D.builder(2, 3).padding(Pad.of(Pad.Fn.SAME, Pad.Fn.FULL)).build())
        .hasMessageContaining("has 2 functions but the convolution has 1 spatial dimensions");
  }

  @Test
  void transpose_mapsOutputsBackToTheInputShape() {
    var conv = new Conv1D(4, 3, 2);
    var back = conv.transpose();
    Tensor x = Tensor.ones(DType.FLOAT32, 2, 7, 3);
    assertThat(back.call(conv.call(x)).shape()).isEqualTo(x.shape());
    Conv1DTranspose t = back.target();
    assertThat(t.outputChannels()).isEqualTo(3);
    assertThat(t.outputShape()).containsExactly(7);
    assertThat(ModuleChecks.variableLines(back))
        .containsExactly("conv1d_transpose/b -> f32[3]", "conv1d_transpose/w -> f32[3,3,4]");
  }

  @Test
  void transpose_ofDilatedConvolution_throws() {
    assertThatThrownBy(() -> Conv1D.builder(2, 3).rate(2).build().transpose())
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("cannot be transposed");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new Conv1D(16, 3).toString())
        .isEqualTo("Conv1D(outputChannels=16, kernelShape=[3])");
    assertThat(new Conv1D(8, 5, 2).toString())
        .isEqualTo("Conv1D(outputChannels=8, kernelShape=[5], stride=[2])");
  }
}
