package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.TileByDim;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TileByDimTest {

  @Test
  void call_repeatsWholeDimensionsLikeTfTile() {
    // y[i, j, k] = x[i mod 2, j, k mod 3] for multiples [2, 1, 2] on x [2, 2, 3].
    Tensor x = ModuleChecks.range(0, 1, 2, 2, 3);
    double[] xs = x.toDoubleArray();
    Tensor y = new TileByDim(new int[] {0, -1}, new int[] {2, 2}).call(x);
    assertThat(y.shape().dims()).containsExactly(4, 2, 6);
    double[] expected = new double[48];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 2; j++) {
        for (int k = 0; k < 6; k++) {
          expected[(i * 2 + j) * 6 + k] = xs[((i % 2) * 2 + j) * 3 + k % 3];
        }
      }
    }
    assertThat(y.toDoubleArray()).containsExactly(expected);
  }

  @Test
  void call_sameDimensionTwice_multipliesTheMultiples() {
    Tensor y =
        new TileByDim(new int[] {1, -1}, new int[] {2, 3}).call(ModuleChecks.range(0, 1, 2, 4));
    assertThat(y.shape().dims()).containsExactly(2, 24);
  }

  @Test
  void gradients_sumOverTheCopies() {
    var tile = new TileByDim(new int[] {1}, new int[] {3});
    ModuleChecks.checkGradients(tile, tile::call, ModuleChecks.uniform(1, 2, 2));
  }

  @Test
  void call_withDimensionOutsideInput_throws() {
    assertThatThrownBy(
            () -> new TileByDim(new int[] {3}, new int[] {2}).call(ModuleChecks.range(0, 1, 2, 4)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("dimension 3 is outside");
  }

  @Test
  void constructor_invalidArguments_throwStatingTheRule() {
    assertThatThrownBy(() -> new TileByDim(new int[] {0, 1}, new int[] {2}))
        .hasMessageContaining("need the same length");
    assertThatThrownBy(() -> new TileByDim(new int[] {0}, new int[] {0}))
        .hasMessageContaining("multiples must be >= 1");
  }

  @Test
  void variables_areEmptyOnPurpose() {
    assertThat(new TileByDim(new int[] {0}, new int[] {2}).variables()).isEmpty();
  }

  @Test
  void repr_showsDimsAndMultiples() {
    assertThat(new TileByDim(new int[] {1}, new int[] {3}).toString())
        .isEqualTo("TileByDim(dims=[1], multiples=[3])");
  }
}
