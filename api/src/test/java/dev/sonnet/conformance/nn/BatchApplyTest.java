package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.Layers;
import dev.sonnet.nn.BatchApply;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BatchApplyTest {

  @Test
  void call_mergesTwoLeadingDimsAroundTheLayer() {
    var linear = new Linear(3);
    var apply = new BatchApply(linear);
    Tensor x = ModuleChecks.uniform(1, 4, 2, 5);
    apply.call(x);
    ModuleChecks.randomize(linear.b(), 2);
    Tensor y = apply.call(x);
    assertThat(y.shape().dims()).containsExactly(4, 2, 3);
    // Sums of 5 products of values in [-1, 1): float64 rounding far below 1e-12.
    double[] expected =
        NnReference.linear(
            x.toDoubleArray(),
            8,
            5,
            linear.w().peek().toDoubleArray(),
            3,
            linear.b().peek().toDoubleArray());
    ModuleChecks.assertClose(y, expected, 1e-12);
  }

  @Test
  void call_withNumDims3_splitsTheOutputBackIntoThreeDims() {
    var seen = new int[1][];
    var apply =
        new BatchApply(
            Layers.named(
                "probe",
                t -> {
                  seen[0] = t.shape().dims();
                  return t.sum(true, 2);
                }),
            3);
    Tensor y = apply.call(ModuleChecks.range(0, 1, 2, 3, 4, 5, 2));
    assertThat(seen[0]).containsExactly(24, 5, 2);
    assertThat(y.shape().dims()).containsExactly(2, 3, 4, 5, 1);
  }

  @Test
  void call_onInputOfLowerRank_passesItThroughUnmerged() {
    var apply = new BatchApply(Layers.named("shape", t -> Tensor.of(new double[] {t.rank()})), 3);
    assertThat(apply.call(ModuleChecks.range(0, 1, 2, 3)).item()).isEqualTo(2.0);
  }

  @Test
  void call_whenLayerChangesTheFirstDim_throwsNamingTheMergedSize() {
    var apply = new BatchApply(Layers.named("sum0", t -> t.sum(true, 0)));
    assertThatThrownBy(() -> apply.call(ModuleChecks.range(0, 1, 2, 3, 4)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("merged batch size 6");
  }

  @Test
  void mergeAndSplit_areInverse() {
    Tensor x = ModuleChecks.range(0, 1, 2, 3, 4);
    Tensor m = BatchApply.mergeLeadingDims(x, 2);
    assertThat(m.shape().dims()).containsExactly(6, 4);
    Tensor back = BatchApply.splitLeadingDim(m, x, 2);
    assertThat(back.shape()).isEqualTo(x.shape());
    assertThat(back.toDoubleArray()).containsExactly(x.toDoubleArray());
  }

  @Test
  void variables_areThoseOfTheWrappedModule() {
    var linear = new Linear(2);
    var apply = new BatchApply(linear);
    apply.call(ModuleChecks.uniform(1, 3, 2, 4));
    assertThat(apply.variables()).containsExactlyElementsOf(linear.variables());
    assertThat(ModuleChecks.variableLines(apply))
        .containsExactly("linear/b -> f64[2]", "linear/w -> f64[4,2]");
  }

  @Test
  void gradients_matchFiniteDifferences() {
    var linear = new Linear(2);
    var apply = new BatchApply(linear);
    Tensor x = ModuleChecks.uniform(3, 2, 3, 3);
    apply.call(x);
    ModuleChecks.randomize(linear.b(), 4);
    ModuleChecks.checkGradients(apply, apply::call, x);
  }

  @Test
  void constructor_invalidArguments_throw() {
    assertThatThrownBy(() -> new BatchApply(null)).hasMessageContaining("module must not be null");
    assertThatThrownBy(() -> new BatchApply(new Linear(2), 0))
        .hasMessageContaining("numDims must be >= 1");
  }

  @Test
  void repr_nestsTheModule() {
    assertThat(new BatchApply(new Linear(3), 3).toString())
        .contains("BatchApply(")
        .contains("Linear(outputSize=3)")
        .contains("numDims=3");
  }
}
