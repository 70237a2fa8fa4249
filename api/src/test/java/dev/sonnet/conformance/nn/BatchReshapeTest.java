package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.Deferred;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.nn.BatchReshape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BatchReshapeTest {

  @Test
  void call_reshapesAllButTheBatchAndKeepsRowMajorOrder() {
    Tensor x = ModuleChecks.range(0, 1, 3, 8);
    Tensor y = new BatchReshape(new int[] {2, -1}).call(x);
    assertThat(y.shape().dims()).containsExactly(3, 2, 4);
    assertThat(y.toDoubleArray()).containsExactly(x.toDoubleArray());
  }

  @Test
  void call_withPreserveDims2_keepsTwoLeadingDimensions() {
    Tensor y = new BatchReshape(new int[] {3, 2}, 2).call(ModuleChecks.range(0, 1, 2, 4, 6));
    assertThat(y.shape().dims()).containsExactly(2, 4, 3, 2);
  }

  @Test
  void call_withMismatchedSize_throws() {
    assertThatThrownBy(() -> new BatchReshape(new int[] {5}).call(ModuleChecks.range(0, 1, 2, 6)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[5]");
  }

  @Test
  void transpose_reshapesBackToTheFirstInputsTrailingShape() {
    var r = new BatchReshape(new int[] {4, 4});
    Tensor x = ModuleChecks.range(0, 1, 3, 16);
    Tensor img = r.call(x);
    assertThat(r.inputShape()).containsExactly(16);
    Deferred<BatchReshape> back = r.transpose();
    Tensor y = back.call(img);
    assertThat(y.shape()).isEqualTo(x.shape());
    assertThat(y.toDoubleArray()).containsExactly(x.toDoubleArray());
    assertThat(back.toString()).isEqualTo("Transpose(\n  BatchReshape(shape=[4, 4])\n)");
    assertThat(back.transpose().toString()).isEqualTo(r.toString());
  }

  @Test
  void inputShape_beforeFirstCall_throwsNotBuilt() {
    assertThatThrownBy(() -> new BatchReshape(new int[] {4}).inputShape())
        .isInstanceOf(NotBuiltException.class)
        .hasMessageContaining("call it once");
  }

  @Test
  void variables_areEmptyOnPurpose() {
    var r = new BatchReshape(new int[] {-1});
    r.call(ModuleChecks.range(0, 1, 2, 3, 2));
    assertThat(r.variables()).isEmpty();
  }

  @Test
  void gradients_flowBackUnchanged() {
    var r = new BatchReshape(new int[] {3, 2});
    ModuleChecks.checkGradients(r, r::call, ModuleChecks.uniform(1, 2, 6));
  }

  @Test
  void constructor_withPreserveDimsBelow1_throws() {
    assertThatThrownBy(() -> new BatchReshape(new int[] {4}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("preserveDims must be >= 1");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new BatchReshape(new int[] {4, -1}).toString())
        .isEqualTo("BatchReshape(shape=[4, -1])");
    assertThat(new BatchReshape(new int[] {4}, 2, "r").toString())
        .isEqualTo("BatchReshape(shape=[4], preserveDims=2, name=\"r\")");
  }
}
