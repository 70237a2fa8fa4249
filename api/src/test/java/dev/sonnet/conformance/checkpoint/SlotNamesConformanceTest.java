package dev.sonnet.conformance.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.RestoreOptions;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.checkpoint.SafeTensorsFile;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Linear;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.optimizers.Momentum;
import dev.sonnet.optimizers.Optimizer;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optimizer slots are named after their parameter, and old positional names still restore. */
class SlotNamesConformanceTest {
  @TempDir Path dir;

  private static final Tensor X = Tensor.of(new float[] {1, 2, 3, -1, 0, 2}, 2, 3);

  private static void step(Sequential model, Optimizer optimizer) {
    try (GradientTape tape = GradientTape.open()) {
      Tensor loss = model.call(X).square().mean();
      List<Variable> params = model.trainableVariables();
      optimizer.apply(tape.gradient(loss, params), params);
    }
  }

  /** The layers of a Sequential stay top-level modules: linear, linear_1. */
  @Test
  void adamSlots_areNamedByTheirParameter() {
    var model = Sequential.of(new Linear(4), Layers.relu(), new Linear(1));
    var adam = new Adam(0.01);
    step(model, adam);

    assertThat(adam.variables().stream().map(Variable::name))
        .containsExactlyInAnyOrder(
            "adam/step",
            "adam/m/linear/b",
            "adam/m/linear/w",
            "adam/m/linear_1/b",
            "adam/m/linear_1/w",
            "adam/v/linear/b",
            "adam/v/linear/w",
            "adam/v/linear_1/b",
            "adam/v/linear_1/w");
  }

  @Test
  void twoParametersOfOnePath_getDistinctSlots() {
    var a = new Linear(2);
    var b = new Linear(2);
    a.call(X);
    b.call(X);
    List<Variable> params = List.of(a.w(), b.w());
    var momentum = new Momentum(0.1, 0.9);
    momentum.apply(
        List.of(Tensor.ones(DType.FLOAT32, 3, 2), Tensor.ones(DType.FLOAT32, 3, 2)), params);

    assertThat(momentum.variables().stream().map(Variable::name))
        .containsExactlyInAnyOrder(
            "momentum/step",
            "momentum/accumulated_momentum/linear/w",
            "momentum/accumulated_momentum/linear/w_1");
  }

  @Test
  void aCheckpointWithPositionalSlotNames_restoresWithTheRenaming() throws Exception {
    var model = Sequential.of(new Linear(4), Layers.relu(), new Linear(1));
    var adam = new Adam(0.01);
    step(model, adam);
    step(model, adam);
    Path current = dir.resolve("current.safetensors");
    Checkpoint.of(model, adam).save(current);
    // The same file as an earlier version wrote it: slot i of parameter i as adam/m_i.
    List<Variable> params = model.trainableVariables();
    Map<String, String> oldNames = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      oldNames.put("adam/m/" + params.get(i).name(), "adam/m_" + i);
      oldNames.put("adam/v/" + params.get(i).name(), "adam/v_" + i);
    }
    Path old = dir.resolve("old.safetensors");
    Map<String, HostArray> tensors = new LinkedHashMap<>();
    try (SafeTensorsFile f = SafeTensors.open(current)) {
      for (SafeTensorsFile.Entry e : f.entries()) {
        tensors.put(oldNames.getOrDefault(e.name(), e.name()), f.read(e));
      }
    }
    SafeTensors.write(old, tensors, Map.of());

    var model2 = Sequential.of(new Linear(4), Layers.relu(), new Linear(1));
    model2.call(X);
    var adam2 = new Adam(0.01);
    List<Variable> params2 = model2.trainableVariables();
    Checkpoint.of(model2, adam2)
        .restore(old, RestoreOptions.strict().renaming(adam2.renamingPositionalSlots(params2)));
    step(model2, adam2); // creates the slots, which take the saved values
    step(model, adam);

    assertThat(adam2.step()).isEqualTo(3);
    for (int i = 0; i < params.size(); i++) {
      assertThat(params2.get(i).peek().toFloatArray())
          .as(params.get(i).name())
          .containsExactly(params.get(i).peek().toFloatArray());
    }
  }
}
