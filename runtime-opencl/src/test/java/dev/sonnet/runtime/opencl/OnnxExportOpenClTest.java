package dev.sonnet.runtime.opencl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sonnet.backend.Backend;
import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.TensorFunction;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.export.Tracing;
import dev.sonnet.export.onnx.Onnx;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nets.MLP;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Flatten;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.Convolution;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX export of models whose variables live on the OpenCL device: traced on OpenCL, exported (the
 * weights copied from the device into the file), run in ONNX Runtime at two batch sizes and
 * compared with the same model's eager call on OpenCL. The op-by-op and whole-model coverage runs
 * on the CPU runtime (runtime-cpu's {@code dev.sonnet.runtime.cpu.onnx} tests); the exporter does
 * not depend on the backend beyond reading the variables' values.
 *
 * <p>Tolerance: both sides compute in float32; a chain of dot products of K terms each is within
 * {@code (sum of K) * 2^-24 * M} of exact with M the output's largest magnitude, so the two are
 * within twice that ({@code sumK} per model below).
 */
class OnnxExportOpenClTest {
  @TempDir Path dir;

  private void exportAndCompare(
      String name, Function<Tensor, Tensor> f, int[] inner, int sumK, Backend backend)
      throws Exception {
    int[] specDims = new int[inner.length + 1];
    specDims[0] = -1;
    System.arraycopy(inner, 0, specDims, 1, inner.length);
    GraphFunction traced =
        Tracing.trace(backend, TensorFunction.of(f), TensorSpec.of(DType.FLOAT32, specDims));
    Path file = dir.resolve(name + ".onnx");
    Onnx.export(traced, file);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(file.toString(), options)) {
        for (int batch : new int[] {1, 3}) {
          int[] dims = specDims.clone();
          dims[0] = batch;
          Tensor x =
              Tensor.randomUniform(new Rng(batch), DType.FLOAT32, Shape.of(dims), -1, 1)
                  .to(backend);
          float[] expected = f.apply(x).toFloatArray();
          long[] shape = new long[dims.length];
          for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[i];
          }
          float[] got;
          try (OnnxTensor in =
                  OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), shape);
              OrtSession.Result r = session.run(Map.of("input0", in))) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            got = new float[b.remaining()];
            b.get(got);
          }
          double m = 0;
          for (float v : expected) {
            m = Math.max(m, Math.abs(v));
          }
          double tol = 2 * sumK * (Math.ulp(1f) / 2) * m;
          assertThat(got).as("%s batch %d", name, batch).hasSameSizeAs(expected);
          for (int i = 0; i < got.length; i++) {
            assertThat((double) Math.abs(got[i] - expected[i]))
                .as("%s batch %d element %d", name, batch, i)
                .isLessThanOrEqualTo(tol);
          }
        }
      }
    }
  }

  @Test
  void mlpTracedOnOpenClRunsInOnnxRuntime() throws Exception {
    OpenClBackend backend = OpenClFixtures.backend();
    MLP mlp = new MLP(new int[] {16, 8});
    // Layers of K = 12 and 16 terms.
    exportAndCompare("mlp", x -> mlp.call(x), new int[] {12}, 12 + 16, backend);
  }

  @Test
  void convNetTracedOnOpenClRunsInOnnxRuntime() throws Exception {
    OpenClBackend backend = OpenClFixtures.backend();
    Layer pool = Layers.named("max_pool_2x2", x -> Convolution.maxPool(x, new int[] {2, 2}));
    Sequential net =
        new Sequential(new Conv2D(4, 3), Layers.relu(), pool, new Flatten(), new Linear(5));
    // A 3x3 conv over 2 channels (18 terms), then 4 * 4 * 4 = 64 terms.
    exportAndCompare("convnet", net::call, new int[] {8, 8, 2}, 18 + 64, backend);
  }
}
