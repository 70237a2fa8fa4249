package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.ModuleException;
import dev.sonnet.nn.CausalConv1D;
import dev.sonnet.nn.Pad;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CausalConv1DTest {

  // Each output sums at most k * c = 6 products of values in [-1, 1): float64 rounding is a few
  // ulps of 6, far below 1e-12.

  private static double[] reference(CausalConv1D conv, Tensor x, int out) {
    int[] s = x.shape().dims();
    int k = conv.kernelShape().get(0);
    int rate = conv.rate().get(0);
    double[] y =
        NnReference.conv(
            x.toDoubleArray(),
            s[0],
            new int[] {s[1]},
            s[2],
            conv.w().peek().toDoubleArray(),
            new int[] {k},
            conv.outputChannels(),
            new int[] {conv.stride().get(0)},
            new int[] {rate},
            new int[] {(k - 1) * rate},
            new int[] {out});
    return NnReference.addBias(y, conv.b().peek().toDoubleArray());
  }

  @Test
  void call_dilated_padsKEffMinusOneBeforeAndKeepsTheLength() {
    var conv = new CausalConv1D(2, 2, 1, 3);
    Tensor x = ModuleChecks.uniform(1, 2, 7, 3);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 2);
    Tensor y = conv.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 7, 2);
    ModuleChecks.assertClose(y, reference(conv, x, 7), 1e-12);
  }

  @Test
  void call_stride2_hasCeilOfTimeOverStrideOutputs() {
    var conv = new CausalConv1D(2, 3, 2, 1);
    Tensor x = ModuleChecks.uniform(3, 1, 7, 2);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 4);
    Tensor y = conv.call(x);
    assertThat(y.shape().dims()).containsExactly(1, 4, 2);
    ModuleChecks.assertClose(y, reference(conv, x, 4), 1e-12);
  }

  @Test
  void call_changingAFutureInput_leavesEarlierOutputsUnchanged() {
    var conv = new CausalConv1D(3, 3, 1, 2);
    double[] base = ModuleChecks.uniform(5, 1, 8, 2).toDoubleArray();
    double[] y0 = conv.call(Tensor.of(base, 1, 8, 2)).toDoubleArray();
    int t = 5;
    double[] moved = base.clone();
    moved[t * 2] += 10;
    moved[t * 2 + 1] -= 10;
    double[] y1 = conv.call(Tensor.of(moved, 1, 8, 2)).toDoubleArray();
    for (int i = 0; i < t * 3; i++) {
      assertThat(y1[i]).as("output element %d, before time %d", i, t).isEqualTo(y0[i]);
    }
    assertThat(y1[t * 3]).isNotEqualTo(y0[t * 3]);
  }

  @Test
  void padding_isTheCausalFunction() {
    assertThat(new CausalConv1D(2, 3).padding()).isEqualTo(Pad.of(Pad.Fn.CAUSAL));
  }

  @Test
  void variables_areThoseOfAConv1D() {
    var conv = new CausalConv1D(4, 2);
    conv.call(Tensor.zeros(DType.FLOAT32, 1, 5, 3));
    assertThat(ModuleChecks.variableLines(conv))
        .containsExactly("causal_conv1d/b -> f32[4]", "causal_conv1d/w -> f32[2,3,4]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var conv = new CausalConv1D(2, 2, 1, 2);
    Tensor x = ModuleChecks.uniform(7, 2, 5, 2);
    conv.call(x);
    ModuleChecks.randomize(conv.b(), 8);
    ModuleChecks.checkGradients(conv, conv::call, x);
  }

  @Test
  void constructor_invalidCombinations_throwStatingTheRule() {
    assertThatThrownBy(
            () -> CausalConv1D.builder(2, 3).withBias(false).bInit(Initializers.zeros()).build())
        .hasMessageContaining("when withBias is false, bInit must be null");
    assertThatThrownBy(() -> CausalConv1D.builder(2, 3, 3).build())
        .hasMessageContaining("kernelShape");
    assertThatThrownBy(() -> new CausalConv1D(0, 3)).hasMessageContaining("outputChannels");
  }

  @Test
  void transpose_throwsBecauseCausalPaddingIsAFunction() {
    assertThatThrownBy(() -> new CausalConv1D(2, 3).transpose())
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("only SAME or VALID");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new CausalConv1D(32, 2).toString())
        .isEqualTo("CausalConv1D(outputChannels=32, kernelShape=[2])");
    assertThat(new CausalConv1D(32, 2, 1, 4).toString())
        .isEqualTo("CausalConv1D(outputChannels=32, kernelShape=[2], rate=[4])");
  }
}
