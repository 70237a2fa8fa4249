package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.NotBuiltException;
import dev.sonnet.nn.Reshape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ReshapeTest {

  @Test
  void call_inferstheWildcardAndKeepsValues() {
    Tensor x = ModuleChecks.range(0, 1, 8, 2, 6);
    Tensor y = new Reshape(new int[] {4, -1}).call(x);
    assertThat(y.shape().dims()).containsExactly(8, 4, 3);
    assertThat(y.toDoubleArray()).containsExactly(x.toDoubleArray());
  }

  @Test
  void call_withPreserveDims2_reshapesOnlyTheTail() {
    Tensor y = new Reshape(new int[] {3, 2}, 2).call(ModuleChecks.range(0, 1, 2, 5, 6));
    assertThat(y.shape().dims()).containsExactly(2, 5, 3, 2);
  }

  @Test
  void call_withMismatchedSize_teachesTheSizes() {
    assertThatThrownBy(() -> new Reshape(new int[] {5}).call(ModuleChecks.range(0, 1, 2, 6)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("reshape")
        .hasMessageContaining("(6 elements)")
        .hasMessageContaining("[5]");
  }

  @Test
  void constructor_withTwoWildcards_throws() {
    assertThatThrownBy(() -> new Reshape(new int[] {-1, -1}))
        .hasMessageContaining("at most one size can be inferred");
  }

  @Test
  void reversed_afterCall_restoresTheShape() {
    var r = new Reshape(new int[] {-1});
    Tensor x = ModuleChecks.range(0, 1, 2, 3, 4);
    Tensor y = r.call(x);
    Reshape back = r.reversed();
    assertThat(back.call(y).shape()).isEqualTo(x.shape());
    assertThat(back.toString()).isEqualTo("Reshape(outputShape=[3, 4], name=\"reshape_reversed\")");
  }

  @Test
  void reversed_beforeCall_throwsNotBuilt() {
    assertThatThrownBy(() -> new Reshape(new int[] {-1}).reversed())
        .isInstanceOf(NotBuiltException.class);
  }

  @Test
  void gradients_flowBackUnchanged() {
    var r = new Reshape(new int[] {6});
    ModuleChecks.checkGradients(r, r::call, ModuleChecks.uniform(2, 2, 3, 2));
  }

  @Test
  void repr_showsOutputShape() {
    assertThat(new Reshape(new int[] {4, -1}).toString()).isEqualTo("Reshape(outputShape=[4, -1])");
  }
}
