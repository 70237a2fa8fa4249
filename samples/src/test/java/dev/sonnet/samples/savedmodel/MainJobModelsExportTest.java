package dev.sonnet.samples.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.SavedModel;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.module.Sequential;
import dev.sonnet.samples.mnist.Models;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job's two models (Fashion-MNIST MLP and ConvNet), saved with an unknown batch and
 * loaded, against eager execution at batch sizes the tracer never used (it traces at 2, 3, 4).
 *
 * <p>Tolerance: the loaded function runs the same primitives in the same order (fused layers keep
 * each GEMM's summation order and add the bias after it, as eager mode does), except that on the
 * CPU the ConvNet's second convolution (3x3, 32 channels) runs by Winograd's algorithm, which
 * regroups each sum through exact-coefficient transforms (a few more roundings per term, measured
 * within 5 ulps of {@code Σ|x||w|} per output); so the outputs agree to rounding noise, and 1e-5
 * relative is ~100 float32 ulps, far below any real error.
 */
class MainJobModelsExportTest {
  @TempDir Path dir;

  private void check(Sequential model, String name) {
    Path file = dir.resolve(name + ".savedmodel");
    SavedModel.builder()
        .function("inference", model::call, TensorSpec.of(DType.FLOAT32, -1, 28, 28, 1))
        .variables(model.variables())
        .save(file);
    GraphFunction f = SavedModel.load(file).function("inference");
    for (int batch : new int[] {1, 5}) {
      Tensor x =
          Tensor.randomUniform(new Rng(batch), DType.FLOAT32, Shape.of(batch, 28, 28, 1), 0, 1);
      double[] got = f.call(x).toDoubleArray();
      double[] want = model.call(x).toDoubleArray();
      assertThat(got).hasSameSizeAs(want);
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i])
            .isCloseTo(
                want[i],
                org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(want[i]))));
      }
    }
  }

  @Test
  void mlp() {
    check(Models.mlp(3), "mlp");
  }

  @Test
  void convNet() {
    check(Models.convNet(3), "convnet");
  }
}
