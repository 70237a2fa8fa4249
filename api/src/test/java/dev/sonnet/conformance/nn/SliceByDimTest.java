package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.SliceByDim;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SliceByDimTest {

  @Test
  void call_slicesTheSelectedDimensionsAndKeepsTheOthersWhole() {
    // x[i, j, k] = 12 i + 4 j + k; slice j in [1, 3), k from 2 on.
    Tensor x = ModuleChecks.range(0, 1, 2, 3, 4);
    Tensor y = new SliceByDim(new int[] {1, -1}, new int[] {1, 2}, new int[] {2, -1}).call(x);
    assertThat(y.shape().dims()).containsExactly(2, 2, 2);
    double[] expected = new double[8];
    int n = 0;
    for (int i = 0; i < 2; i++) {
      for (int j = 1; j < 3; j++) {
        for (int k = 2; k < 4; k++) {
          expected[n++] = 12 * i + 4 * j + k;
        }
      }
    }
    assertThat(y.toDoubleArray()).containsExactly(expected);
  }

  @Test
  void call_outsideTheInput_throwsNamingTheSlice() {
    var slice = new SliceByDim(new int[] {1}, new int[] {2}, new int[] {3});
    assertThatThrownBy(() -> slice.call(ModuleChecks.range(0, 1, 2, 4)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("slice [2, 5) of dimension 1");
    assertThatThrownBy(
            () ->
                new SliceByDim(new int[] {2}, new int[] {0}, new int[] {1})
                    .call(ModuleChecks.range(0, 1, 2, 4)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("dimension 2 is outside");
  }

  @Test
  void call_withTheSameDimensionByTwoNames_throws() {
    // 1 and -1 are the same dimension of a rank-2 input; only the call can tell.
    var slice = new SliceByDim(new int[] {1, -1}, new int[] {0, 1}, new int[] {1, 1});
    assertThatThrownBy(() -> slice.call(ModuleChecks.range(0, 1, 2, 4)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("name dimension 1")
        .hasMessageContaining("twice");
  }

  @Test
  void gradients_scatterIntoTheSlicedPositions() {
    var slice = new SliceByDim(new int[] {0, 1}, new int[] {1, 1}, new int[] {1, 2});
    ModuleChecks.checkGradients(slice, slice::call, ModuleChecks.uniform(1, 3, 4));
  }

  @Test
  void variables_areEmptyOnPurpose() {
    assertThat(new SliceByDim(new int[] {0}, new int[] {0}, new int[] {1}).variables()).isEmpty();
  }

  @Test
  void constructor_invalidArguments_throwStatingTheRule() {
    assertThatThrownBy(() -> new SliceByDim(new int[] {0, 1}, new int[] {0}, new int[] {1}))
        .hasMessageContaining("need the same length");
    assertThatThrownBy(() -> new SliceByDim(new int[] {1, 1}, new int[] {0, 1}, new int[] {1, 1}))
        .hasMessageContaining("repeats dimension 1");
    assertThatThrownBy(() -> new SliceByDim(new int[] {0}, new int[] {-1}, new int[] {1}))
        .hasMessageContaining("begin must be >= 0 and size >= -1");
    assertThatThrownBy(() -> new SliceByDim(new int[] {0}, new int[] {0}, new int[] {-2}))
        .hasMessageContaining("begin must be >= 0 and size >= -1");
  }

  @Test
  void repr_showsTheSlice() {
    assertThat(new SliceByDim(new int[] {1}, new int[] {2}, new int[] {3}).toString())
        .isEqualTo("SliceByDim(dims=[1], begin=[2], size=[3])");
  }
}
