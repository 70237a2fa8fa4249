package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.Flatten;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FlattenTest {

  @Test
  void call_keepsBatchAndFlattensTheRestInRowMajorOrder() {
    Tensor x = ModuleChecks.range(0, 1, 2, 3, 4);
    Tensor y = new Flatten().call(x);
    assertThat(y.shape().dims()).containsExactly(2, 12);
    assertThat(y.toDoubleArray()).containsExactly(x.toDoubleArray());
  }

  @Test
  void call_withPreserveDims2_keepsTwoDims() {
    Tensor y = new Flatten(2).call(ModuleChecks.range(0, 1, 2, 3, 4, 5));
    assertThat(y.shape().dims()).containsExactly(2, 3, 20);
  }

  @Test
  void call_onRankEqualToPreserveDims_addsUnitDim() {
    assertThat(new Flatten().call(ModuleChecks.range(0, 1, 5)).shape().dims())
        .containsExactly(5, 1);
  }

  @Test
  void gradients_flowBackUnchanged() {
    var f = new Flatten();
    ModuleChecks.checkGradients(f, f::call, ModuleChecks.uniform(1, 2, 2, 3));
  }

  @Test
  void variables_areNone() {
    assertThat(new Flatten().variables()).isEmpty();
  }

  @Test
  void constructor_withPreserveDims0_throws() {
    assertThatThrownBy(() -> new Flatten(0)).hasMessageContaining("preserveDims must be >= 1");
  }

  @Test
  void reversed_restoresTheInputShape() {
    var f = new Flatten();
    Tensor x = ModuleChecks.range(0, 1, 2, 3, 4);
    Tensor y = f.call(x);
    assertThat(f.reversed().call(y).shape()).isEqualTo(x.shape());
  }

  @Test
  void repr_isFlattenWithDefaultsOmitted() {
    assertThat(new Flatten().toString()).isEqualTo("Flatten()");
    assertThat(new Flatten(2).toString()).isEqualTo("Flatten(preserveDims=2)");
  }
}
