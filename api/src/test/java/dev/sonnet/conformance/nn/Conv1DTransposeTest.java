package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.Conv1DTranspose;
import dev.sonnet.nn.Pad;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Conv1DTransposeTest {

  @Test
  void call_validStride2_hasLargestConsistentSizeAndMatchesScatterReference() {
    var t = Conv1DTranspose.builder(2, 3).stride(2).padding(Pad.VALID).build();
    Tensor x = ModuleChecks.uniform(1, 2, 4, 3);
    t.call(x);
    ModuleChecks.randomize(t.b(), 2);
    Tensor y = t.call(x);
    assertThat(y.shape().dims()).containsExactly(2, 4 * 2 + 3 - 1, 2);
    double[] expected =
        NnReference.addBias(
            NnReference.convTranspose(
                x.toDoubleArray(),
                2,
                new int[] {4},
                3,
                t.w().peek().toDoubleArray(),
                new int[] {3},
                2,
                new int[] {2},
                new int[] {1},
                new int[] {0},
                new int[] {10}),
            t.b().peek().toDoubleArray());
    ModuleChecks.assertClose(y, expected, 1e-12);
  }

  @Test
  void call_sameStride2_doublesTheSize() {
    var t = new Conv1DTranspose(2, 3, 2);
    Tensor x = ModuleChecks.uniform(3, 1, 5, 2);
    Tensor y = t.call(x);
    assertThat(y.shape().dims()).containsExactly(1, 10, 2);
    // SAME: total padding max((5 - 1) * 2 + 3 - 10, 0) = 1, before 0.
    double[] expected =
        NnReference.addBias(
            NnReference.convTranspose(
                x.toDoubleArray(),
                1,
                new int[] {5},
                2,
                t.w().peek().toDoubleArray(),
                new int[] {3},
                2,
                new int[] {2},
                new int[] {1},
                new int[] {0},
                new int[] {10}),
            t.b().peek().toDoubleArray());
    ModuleChecks.assertClose(y, expected, 1e-12);
  }

  @Test
  void variables_haveOutInLayout() {
    var t = new Conv1DTranspose(5, 3);
    t.call(ModuleChecks.uniform(1, 1, 4, 2));
    assertThat(ModuleChecks.variableLines(t))
        .containsExactly("conv1d_transpose/b -> f64[5]", "conv1d_transpose/w -> f64[3,5,2]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var t = new Conv1DTranspose(2, 3, 2);
    Tensor x = ModuleChecks.uniform(4, 1, 3, 2);
    t.call(x);
    ModuleChecks.checkGradients(t, t::call, x);
  }

  @Test
  void constructor_withPadFunction_throwsStatingTheRule() {
    assertThatThrownBy(() -> Conv1DTranspose.builder(2, 3).padding(Pad.of(Pad.Fn.CAUSAL)).build())
        .hasMessageContaining("padding must be Pad.SAME or Pad.VALID");
  }

  @Test
  void transpose_isAConv1DBackToTheInputChannels() {
    var t = new Conv1DTranspose(4, 3, 2);
    var back = t.transpose();
    Tensor x = ModuleChecks.uniform(5, 2, 3, 6);
    assertThat(back.call(t.call(x)).shape().dims()).containsExactly(2, 3, 6);
  }
}
