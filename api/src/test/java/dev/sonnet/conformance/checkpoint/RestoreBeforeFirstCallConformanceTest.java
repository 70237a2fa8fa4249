package dev.sonnet.conformance.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.CheckpointMismatchException;
import dev.sonnet.checkpoint.CheckpointMismatchException.Mismatch;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.RestoreOptions;
import dev.sonnet.checkpoint.RestoreStatus;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.module.Module;
import dev.sonnet.module.Seeds;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore before the first call keeps the guarantees of a restore into a built model: every problem
 * of the model reported at once, by the end of the call that built it; no variable left with a
 * value from the file when that call fails; messages that say what happened; and an optimizer's
 * slots and step restored at its first apply.
 *
 * <p>The model is a {@link CkMlp} ({@code mlp/linear/{b,w}}, {@code mlp/linear_1/{b,w}}), whose two
 * layers are built one after the other during its first call.
 */
class RestoreBeforeFirstCallConformanceTest {
  @TempDir Path dir;

  private final Tensor x = input(Shape.of(4, 3));

  @Test
  void firstCall_reportsEveryMismatchAndMissingVariableOfTheModelAtOnce() {
    Path p = fileWithTwoWrongShapesAndOneMissing();
    CkMlp fresh = new CkMlp(5, 2, "mlp");

    RestoreStatus status = Checkpoint.of(fresh).restore(p);
    CheckpointMismatchException e =
        catchThrowableOfType(CheckpointMismatchException.class, () -> fresh.call(x));

    assertThat(e).as("the first call fails").isNotNull();
    assertThat(e.mismatched())
        .extracting(Mismatch::name)
        .containsExactlyInAnyOrder("mlp/linear/w", "mlp/linear_1/w");
    assertThat(e.missing()).containsExactly("mlp/linear_1/b");
    assertThat(e.unexpected()).isEmpty();
    assertThat(e)
        .hasMessageContaining("(3 problems)")
        .hasMessageContaining("mlp/linear/w: the file has f32[3, 4], the variable is f32[3, 5]")
        .hasMessageContaining("mlp/linear_1/w: the file has f32[4, 2], the variable is f32[5, 2]")
        .hasMessageContaining("missing from the file (1): [mlp/linear_1/b]")
        .hasMessageContaining("CkMlp 'mlp'")
        .hasMessageContaining("its first call")
        .hasMessageContaining("checkpoint.restore(path, RestoreOptions.nonStrict())");
    assertThat(status.pending()).isEmpty();
  }

  @Test
  void
      afterTheFailingFirstCall_noVariableHoldsARestoredValue_andTheModelIsBuiltWithItsInitialValues() {
    Path p = fileWithTwoWrongShapesAndOneMissing();
    CkMlp fresh = new CkMlp(5, 2, "mlp");
    CkMlp unrestored = new CkMlp(5, 2, "mlp");
    // Each is built as by the same program with the same seed (Seeds), so both start alike.
    Seeds.setGlobalSeed(0);
    unrestored.call(x);

    RestoreStatus status = Checkpoint.of(fresh).restore(p);
    Seeds.setGlobalSeed(0);
    assertThatThrownBy(() -> fresh.call(x)).isInstanceOf(CheckpointMismatchException.class);

    // Built, every variable at its initializer's value: what a first call without a restore gives.
    assertThat(fresh.isBuilt()).isTrue();
    assertThat(values(fresh)).isEqualTo(values(unrestored));
    assertThat(status.restored()).isEmpty();
    assertThat(fresh.call(x).toFloatArray()).containsExactly(unrestored.call(x).toFloatArray());
    // What matches can then be taken into the built model.
    RestoreStatus again = Checkpoint.of(fresh).restore(p, RestoreOptions.nonStrict());
    assertThat(again.restored()).containsExactly("mlp/linear/b");
    assertThat(HostArray.of(fresh.first.b.peek())).isEqualTo(saved().get("mlp/linear/b"));
  }

  @Test
  void strictRestoreMissingAVariable_failsByTheEndOfTheFirstCall_withoutAssertConsumed() {
    Map<String, HostArray> values = saved();
    values.remove("mlp/linear_1/b");
    Path p = dir.resolve("no_bias.safetensors");
    SafeTensors.write(p, values, Map.of());
    CkMlp fresh = new CkMlp(5, 2, "mlp");

    Checkpoint.of(fresh).restore(p);

    assertThatThrownBy(() -> fresh.call(x))
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining("missing from the file (1): [mlp/linear_1/b]")
        .satisfies(
            e ->
                assertThat(((CheckpointMismatchException) e).missing())
                    .containsExactly("mlp/linear_1/b"));
    assertThat(values(fresh).get("mlp/linear/w"))
        .as("the first layer, which matched, is set back too")
        .isNotEqualTo(values.get("mlp/linear/w"));
  }

  @Test
  void assertConsumed_ofAShapeMismatch_showsBothShapes_andNeverCallsItUnexpectedOrUncalled() {
    Path p = fileWithTwoWrongShapesAndOneMissing();
    CkMlp strict = new CkMlp(5, 2, "mlp");
    RestoreStatus strictStatus = Checkpoint.of(strict).restore(p);
    assertThatThrownBy(() -> strict.call(x)).isInstanceOf(CheckpointMismatchException.class);
    CkMlp lenient = new CkMlp(5, 2, "mlp");
    RestoreStatus lenientStatus = Checkpoint.of(lenient).restore(p, RestoreOptions.nonStrict());
    lenient.call(x);

    for (RestoreStatus status : List.of(strictStatus, lenientStatus)) {
      assertThatThrownBy(status::assertConsumed)
          .isInstanceOf(CheckpointMismatchException.class)
          .hasMessageContaining("wrong shape or dtype (2)")
          .hasMessageContaining("mlp/linear/w: the file has f32[3, 4], the variable is f32[3, 5]")
          .hasMessageContaining("missing from the file (1): [mlp/linear_1/b]")
          .hasMessageNotContaining("no variable of that name")
          .hasMessageNotContaining("not in the model")
          .hasMessageNotContaining("not been called")
          .hasMessageNotContaining("not been built");
    }
    assertThat(lenientStatus.restored()).containsExactly("mlp/linear/b");
    assertThat(lenientStatus.mismatched()).hasSize(2);
  }

  @Test
  void assertConsumed_afterTheModelsFirstCall_namesWhatIsReallyLeft() {
    Map<String, HostArray> values = saved();
    values.put("mlp/linear_2/w", HostArray.of(new float[] {1, 2}, Shape.of(2, 1)));
    Path p = dir.resolve("three_layers.safetensors");
    SafeTensors.write(p, values, Map.of());
    CkMlp model = new CkMlp(5, 2, "mlp");
    RestoreStatus status = Checkpoint.of(model).restore(p, RestoreOptions.nonStrict());

    model.call(x);

    assertThat(status.unexpected()).containsExactly("mlp/linear_2/w");
    assertThat(status.pending()).isEmpty();
    assertThatThrownBy(status::assertConsumed)
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining(
            "in the file, but no variable of that name exists in the model (1):"
                + " [mlp/linear_2/w]")
        .hasMessageNotContaining("not been called")
        .hasMessageNotContaining("not been built");
  }

  @Test
  void readmeExample_withAdam_restoresWeightsSlotsAndStep_andSaysWhenToAssert() {
    Tensor target = Tensor.of(new float[] {1, -1, 0.5f, 0, 0.25f, 2, -0.5f, 1}, 4, 2);
    CkMlp model = new CkMlp(5, 2, "mlp");
    Adam adam = new Adam(0.01);
    for (int i = 0; i < 3; i++) {
      trainStep(model, adam, target);
    }
    Path p = dir.resolve("model.safetensors");
    Checkpoint.of(model, adam).add("data_rng", new Rng(7)).save(p);
    Map<String, HostArray> savedWeights = values(model);
    trainStep(model, adam, target); // the step the restored copy takes too

    CkMlp model2 = new CkMlp(5, 2, "mlp");
    Adam adam2 = new Adam(0.01);
    Rng dataRng = new Rng(0);
    RestoreStatus status = Checkpoint.of(model2, adam2).add("data_rng", dataRng).restore(p);
    model2.call(x);

    assertThat(values(model2)).isEqualTo(savedWeights);
    assertThat(status.pending())
        .containsExactlyInAnyOrder(
            "adam/step",
            "adam/m/mlp/linear/b",
            "adam/m/mlp/linear/w",
            "adam/m/mlp/linear_1/b",
            "adam/m/mlp/linear_1/w",
            "adam/v/mlp/linear/b",
            "adam/v/mlp/linear/w",
            "adam/v/mlp/linear_1/b",
            "adam/v/mlp/linear_1/w");
    assertThatThrownBy(status::assertConsumed)
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining(
            "Adam 'adam' has not been built yet; its variables are created by"
                + " its first apply(updates, parameters)")
        .hasMessageContaining("after the optimizer's first optimizer.apply(grads, params)")
        .hasMessageNotContaining("CkMlp")
        .hasMessageNotContaining("not been called");

    trainStep(model2, adam2, target);

    status.assertConsumed();
    assertThat(adam2.step()).isEqualTo(4);
    assertThat(values(model2)).isEqualTo(values(model));
    assertThat(values(adam2)).isEqualTo(values(adam));
    assertThat(dataRng.state()).isEqualTo(new Rng(7).state());
  }

  @Test
  void optimizerSlotsOfTheWrongShape_failTheFirstApply_beforeAnyUpdate() {
    Tensor target = Tensor.of(new float[] {1, -1, 0.5f, 0, 0.25f, 2, -0.5f, 1}, 4, 2);
    CkMlp model = new CkMlp(5, 2, "mlp");
    Adam adam = new Adam(0.01);
    trainStep(model, adam, target);
    Map<String, HostArray> values = Checkpoint.of(model, adam).state();
    values.put("adam/m/mlp/linear/b", HostArray.of(new float[3], Shape.of(3)));
    Path p = dir.resolve("bad_slot.safetensors");
    SafeTensors.write(p, values, Map.of());
    CkMlp model2 = new CkMlp(5, 2, "mlp");
    Adam adam2 = new Adam(0.01);
    Checkpoint.of(model2, adam2).restore(p);
    model2.call(x);
    Map<String, HostArray> weights = values(model2);

    assertThatThrownBy(() -> trainStep(model2, adam2, target))
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining("Adam 'adam'")
        .hasMessageContaining("its first apply(updates, parameters)")
        .hasMessageContaining("adam/m/mlp/linear/b: the file has f32[3], the variable is f32[5]");
    assertThat(values(model2)).as("no update applied").isEqualTo(weights);
    assertThat(adam2.step()).isZero();
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** The state of a trained-looking {@code CkMlp(5, 2, "mlp")} built on {@link #x}. */
  private Map<String, HostArray> saved() {
    CkMlp m = new CkMlp(5, 2, "mlp");
    m.call(x);
    Rng rng = new Rng(3);
    for (Variable v : m.variables()) {
      v.assign(Tensor.randomUniform(rng, DType.FLOAT32, v.shape(), -3, 3));
    }
    return new LinkedHashMap<>(Checkpoint.of(m).state());
  }

  /**
   * {@link #saved} with {@code mlp/linear/w} as [3, 4] and {@code mlp/linear_1/w} as [4, 2] (saved
   * with hidden size 4), and without {@code mlp/linear_1/b}; {@code mlp/linear/b} fits.
   */
  private Path fileWithTwoWrongShapesAndOneMissing() {
    Map<String, HostArray> values = saved();
    values.put("mlp/linear/w", HostArray.of(new float[12], Shape.of(3, 4)));
    values.put("mlp/linear_1/w", HostArray.of(new float[8], Shape.of(4, 2)));
    values.remove("mlp/linear_1/b");
    Path p = dir.resolve("mlp.safetensors");
    SafeTensors.write(p, values, Map.of());
    return p;
  }

  private void trainStep(CkMlp model, Adam adam, Tensor target) {
    try (GradientTape tape = GradientTape.open()) {
      Tensor loss = model.call(x).sub(target).square().mean();
      List<Variable> params = model.trainableVariables();
      adam.apply(tape.gradient(loss, params), params);
    }
  }

  private static Tensor input(Shape shape) {
    float[] v = new float[shape.intSize()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.sin(i + 1);
    }
    return Tensor.of(v, shape.dims());
  }

  private static Map<String, HostArray> values(Module m) {
    Map<String, HostArray> out = new LinkedHashMap<>();
    for (Variable v : m.variables()) {
      out.put(v.name(), HostArray.of(v.peek()));
    }
    return out;
  }
}
