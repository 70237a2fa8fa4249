package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.MergeDims;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MergeDimsTest {

  @Test
  void call_mergesConsecutiveDimensionsAndKeepsRowMajorOrder() {
    Tensor x = ModuleChecks.range(0, 1, 2, 3, 4, 5);
    Tensor y = new MergeDims(1, 2).call(x);
    assertThat(y.shape().dims()).containsExactly(2, 12, 5);
    assertThat(y.toDoubleArray()).containsExactly(x.toDoubleArray());
  }

  @Test
  void call_atTheEnd_mergesTheTrailingDimensions() {
    assertThat(new MergeDims(1, 3).call(ModuleChecks.range(0, 1, 2, 3, 4, 5)).shape().dims())
        .containsExactly(2, 60);
    assertThat(new MergeDims(0, 2).call(ModuleChecks.range(0, 1, 2, 3, 4)).shape().dims())
        .containsExactly(6, 4);
  }

  @Test
  void call_pastTheRank_throwsNamingTheDimensions() {
    assertThatThrownBy(() -> new MergeDims(1, 3).call(ModuleChecks.range(0, 1, 2, 3, 4)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("dimensions 1 to 3 do not exist");
  }

  @Test
  void gradients_flowBackUnchanged() {
    var merge = new MergeDims(0, 2);
    ModuleChecks.checkGradients(merge, merge::call, ModuleChecks.uniform(1, 2, 3, 2));
  }

  @Test
  void constructor_invalidArguments_throwStatingTheRule() {
    assertThatThrownBy(() -> new MergeDims(-1, 2)).hasMessageContaining("start must be >= 0");
    assertThatThrownBy(() -> new MergeDims(0, 1)).hasMessageContaining("size must be >= 2");
  }

  @Test
  void variables_areEmptyOnPurpose() {
    assertThat(new MergeDims(0, 2).variables()).isEmpty();
  }

  @Test
  void repr_showsStartAndSize() {
    assertThat(new MergeDims(1, 2).toString()).isEqualTo("MergeDims(start=1, size=2)");
  }
}
