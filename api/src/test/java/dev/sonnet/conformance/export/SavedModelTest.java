package dev.sonnet.conformance.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.checkpoint.CheckpointFormatException;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.checkpoint.SafeTensorsFile;
import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.SavedModel;
import dev.sonnet.export.TensorFunction;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.nets.MLP;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A saved model's functions and variables survive the file, on this backend. */
class SavedModelTest {
  @TempDir Path dir;

  @Test
  void mlp_savedAndLoaded_matchesEagerAtOtherBatchSizes_andVariablesAreLive() {
    MLP mlp = MLP.builder(16, 8, 3).build();
    Path file = dir.resolve("mlp.savedmodel");
    SavedModel.builder()
        .function("inference", mlp::call, TensorSpec.of(DType.FLOAT32, -1, 12))
        .function(
            "scaled",
            (TensorFunction) in -> new Tensor[] {mlp.call(in[0]).mul(in[1]), in[1]},
            TensorSpec.of(DType.FLOAT32, -1, 12),
            TensorSpec.of(DType.FLOAT32, 1))
        .variables(mlp.variables())
        .save(file);

    SavedModel loaded = SavedModel.load(file);
    assertThat(loaded.functionNames()).containsExactly("inference", "scaled");
    assertThat(loaded.allVariables()).hasSize(6);
    assertThat(loaded.allVariables().stream().map(Variable::name))
        .containsExactlyInAnyOrderElementsOf(mlp.variables().stream().map(Variable::name).toList());
    GraphFunction inference = loaded.function("inference");
    for (int batch : new int[] {1, 5, 13}) {
      Tensor x = TracingTest.input(batch, batch, 12);
      Expect.close(inference.call(x), mlp.call(x), Expect.SAME_OPS);
      Tensor[] both = loaded.function("scaled").callAll(x, Tensor.of(new float[] {2f}, 1));
      Expect.close(both[0], mlp.call(x).mul(2.0), Expect.SAME_OPS);
    }

    // Variables are captured, not frozen: assigning one changes what the function computes.
    Variable b =
        loaded.allVariables().stream()
            .filter(v -> v.name().endsWith("linear_2/b"))
            .findFirst()
            .orElseThrow();
    Tensor x = TracingTest.input(3, 2, 12);
    Tensor before = inference.call(x);
    b.assign(b.peek().add(1.0));
    Expect.close(inference.call(x), before.add(1.0), Expect.SAME_OPS);
  }

  @Test
  void file_isSafetensorsWithVariablesByName() {
    MLP mlp = MLP.builder(4).build();
    Path file = dir.resolve("tiny.savedmodel");
    SavedModel.builder()
        .function("inference", mlp::call, TensorSpec.of(DType.FLOAT32, -1, 3))
        .save(file);
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      assertThat(f.entries().stream().map(SafeTensorsFile.Entry::name))
          .contains("variables/mlp/linear_0/w", "variables/mlp/linear_0/b");
      assertThat(f.metadata().get("sonnet.saved_model"))
          .contains("\"format\":\"sonnet.saved_model\"", "\"version\":1");
    }
  }

  @Test
  void inputs_areCheckedAgainstTheSignature() {
    MLP mlp = MLP.builder(4).build();
    Path file = dir.resolve("sig.savedmodel");
    SavedModel.builder()
        .function("inference", mlp::call, TensorSpec.of(DType.FLOAT32, -1, 3))
        .save(file);
    GraphFunction f = SavedModel.load(file).function("inference");
    assertThatThrownBy(() -> f.call(Tensor.zeros(DType.FLOAT32, 2, 4)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining(
            "function 'inference': input 0 must be input0: float32[batch, 3], got float32[2, 4]");
    assertThatThrownBy(() -> f.call(Tensor.zeros(DType.FLOAT64, 2, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("got float64[2, 3]");
    assertThatThrownBy(
            () -> f.call(Tensor.zeros(DType.FLOAT32, 2, 3), Tensor.zeros(DType.FLOAT32, 2, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("takes 1 inputs");
    assertThatThrownBy(() -> SavedModel.load(file).function("serve"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no function 'serve'; it has [inference]");
  }

  @Test
  void plainCheckpoint_isNotASavedModel() {
    Path file = dir.resolve("plain.safetensors");
    SafeTensors.write(file, Map.of(), Map.of());
    assertThatThrownBy(() -> SavedModel.load(file))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("plain.safetensors")
        .hasMessageContaining("not a saved model");
  }
}
