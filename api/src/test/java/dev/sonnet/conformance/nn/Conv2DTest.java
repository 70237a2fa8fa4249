package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.ModuleException;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Conv2DTranspose;
import dev.sonnet.nn.Pad;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Conv2DTest {

  private static double[] reference(Conv2D conv, Tensor x, int[] before, int[] out) {
    int[] s = x.shape().dims();
    int[] k = conv.kernelShape().stream().mapToInt(Integer::intValue).toArray();
    int[] st = conv.stride().stream().mapToInt(Integer::intValue).toArray();
    int[] r = conv.rate().stream().mapToInt(Integer::intValue).toArray();
    double[] y =
        NnReference.conv(
            x.toDoubleArray(),
            s[0],
            new int[] {s[1], s[2]},
            s[3],
            conv.w().peek().toDoubleArray(),
            k,
            conv.outputChannels(),
            st,
            r,
            before,
            out);
    return conv.b() == null ? y : NnReference.addBias(y, conv.b().peek().toDoubleArray());
  }

  @Test
  void call_sameStride2_matchesLoopReference() {
    var conv = new Conv2D(3, 3, 2);
    Tensor x = ModuleChecks.uniform(1, 2, 5, 6, 2);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 2);
    int[][] same =
        NnReference.same(new int[] {5, 6}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
    Tensor y = conv.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 3, 3, 3);
    ModuleChecks.assertClose(y, reference(conv, x, same[0], same[1]), 1e-12);
  }

  @Test
  void call_validDilated_matchesLoopReference() {
    var conv = Conv2D.builder(2, 2, 3).rate(2).padding(Pad.VALID).build();
    Tensor x = ModuleChecks.uniform(3, 1, 6, 7, 3);
    Tensor y = conv.call(x);
    int[] out =
        NnReference.explicitOut(
            new int[] {6, 7},
            new int[] {2, 3},
            new int[] {1, 1},
            new int[] {2, 2},
            new int[2],
            new int[2]);
    assertThat(y.shape().dims()).containsExactly(1, out[0], out[1], 2);
    ModuleChecks.assertClose(y, reference(conv, x, new int[2], out), 1e-12);
  }

  @Test
  void call_withPadFunctions_padsFixedAmountPerDimension() {
    var conv =
        Conv2D.builder(2, 3)
            .stride(2)
            .padding(Pad.of(Pad.Fn.CAUSAL, Pad.Fn.FULL))
            .withBias(false)
            .build();
    Tensor x = ModuleChecks.uniform(4, 1, 5, 4, 2);
    Tensor y = conv.call(x);
    int[] before = {2, 2};
    int[] out =
        NnReference.explicitOut(
            new int[] {5, 4},
            new int[] {3, 3},
            new int[] {2, 2},
            new int[] {1, 1},
            before,
            new int[] {0, 2});
    assertThat(y.shape().dims()).containsExactly(1, out[0], out[1], 2);
    ModuleChecks.assertClose(y, reference(conv, x, before, out), 1e-12);
  }

  @Test
  void call_channelsFirst_equalsChannelsLastTransposed() {
    var last = new Conv2D(3, 3);
    Tensor x = ModuleChecks.uniform(5, 2, 4, 4, 2);
    Tensor yLast = last.call(x);
    var first = Conv2D.builder(3, 3).dataFormat(DataFormat.CHANNELS_FIRST).build();
    first.call(x.permute(0, 3, 1, 2));
    first.w().assign(last.w().peek());
    Tensor yFirst = first.call(x.permute(0, 3, 1, 2));
    assertThat(yFirst.shape().dims()).containsExactly(2, 3, 4, 4);
    ModuleChecks.assertClose(
        yFirst, NnReference.toChannelsFirst(yLast.toDoubleArray(), 2, 16, 3), 1e-12);
  }

  @Test
  void variables_haveKernelInOutLayoutAndBias() {
    var conv = new Conv2D(16, 3);
    conv.call(Tensor.zeros(DType.FLOAT32, 1, 8, 8, 3));
    assertThat(ModuleChecks.variableLines(conv))
        .containsExactly("conv2d/b -> f32[16]", "conv2d/w -> f32[3,3,3,16]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var conv = new Conv2D(2, 3, 2);
    Tensor x = ModuleChecks.uniform(6, 1, 4, 5, 2);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 7);
    ModuleChecks.checkGradients(conv, conv::call, x);
  }

  @Test
  void call_withOtherChannelCount_teachesTheBuiltSize() {
    var conv = new Conv2D(2, 3);
    conv.call(Tensor.zeros(DType.FLOAT32, 1, 4, 4, 3));
    assertThatThrownBy(() -> conv.call(Tensor.zeros(DType.FLOAT32, 1, 4, 4, 5)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("built for 3");
  }

  @Test
  void call_onRank3Input_throwsNamingTheLayout() {
    assertThatThrownBy(() -> new Conv2D(2, 3).call(Tensor.zeros(DType.FLOAT32, 4, 4, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[batch, spatial x 2, channels]");
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(
            () ->
                Conv2D.builder(2, 3)
                    .withBias(false)
                    .bInit(dev.sonnet.initializers.Initializers.zeros())
                    .build())
        .hasMessageContaining("when withBias is false, bInit must be null");
    assertThatThrownBy(() -> Conv2D.builder(2, 3, 3, 3).build())
        .hasMessageContaining("kernelShape");
  }

  @Test
  void transpose_mapsOutputsBackToTheInputShape() {
    var conv = new Conv2D(4, 3, 2);
    var back = conv.transpose();
    Tensor x = Tensor.ones(DType.FLOAT32, 2, 7, 6, 3);
    Tensor y = back.call(conv.call(x));
    assertThat(y.shape()).isEqualTo(x.shape());
    Conv2DTranspose t = back.target();
    assertThat(t.toString())
        .isEqualTo(
            "Conv2DTranspose(\n  outputChannels=3,\n"
                + "  kernelShape=[3, 3],\n  outputShape=[7, 6],\n  stride=[2, 2]\n)");
    assertThat(ModuleChecks.variableLines(back))
        .containsExactly("conv2d_transpose/b -> f32[3]", "conv2d_transpose/w -> f32[3,3,3,4]");
  }

  @Test
  void transpose_withPadFunction_throws() {
    assertThatThrownBy(() -> Conv2D.builder(2, 3).padding(Pad.of(Pad.Fn.FULL)).build().transpose())
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("only SAME or VALID");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new Conv2D(16, 3).toString())
        .isEqualTo("Conv2D(outputChannels=16, kernelShape=[3, 3])");
    assertThat(
            Conv2D.builder(8, 1, 3)
                .stride(2)
                .padding(Pad.VALID)
                .withBias(false)
                .dataFormat(DataFormat.CHANNELS_FIRST)
                .name("c")
                .build()
                .toString())
        .isEqualTo(
            "Conv2D(\n  outputChannels=8,\n"
                + "  kernelShape=[1, 3],\n  stride=[2, 2],\n  padding=VALID,\n  withBias=false,\n"
                + "  dataFormat=CHANNELS_FIRST,\n  name=\"c\"\n)");
  }
}
