package dev.sonnet.runtime.cpu.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.sonnet.export.onnx.OnnxAttribute;
import dev.sonnet.export.onnx.OnnxExportException;
import dev.sonnet.export.onnx.OnnxGraph;
import dev.sonnet.export.onnx.OnnxModelFile;
import dev.sonnet.export.onnx.OnnxNode;
import dev.sonnet.export.onnx.OnnxValueInfo;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX file layer alone, proven by ONNX Runtime: a graph built by hand ({@code Gemm} then
 * {@code Relu}, weights as initializers, a symbolic batch dimension) loads and computes what plain
 * loops compute, for several batch sizes. If a field number or an encoding were wrong, ONNX Runtime
 * would refuse the file or compute something else.
 */
class OnnxModelFileOrtTest {
  private static final int IN = 3;
  private static final int OUT = 4;

  private static OnnxGraph gemmRelu(Tensor w, Tensor b) {
    return OnnxGraph.builder("gemm_relu")
        .input(
            new OnnxValueInfo("x", DType.FLOAT32, new int[] {-1, IN}, new String[] {"batch", null}))
        .output(
            new OnnxValueInfo(
                "y", DType.FLOAT32, new int[] {-1, OUT}, new String[] {"batch", null}))
        .initializer("w", w)
        .initializer("b", b)
        .node(
            OnnxNode.of(
                "Gemm",
                "linear",
                List.of("x", "w", "b"),
                "h",
                OnnxAttribute.of("alpha", 1f),
                OnnxAttribute.of("transB", 0L)))
        .node(OnnxNode.of("Relu", "relu", List.of("h"), "y"))
        .build();
  }

  @Test
  void handBuiltGemmReluRunsInOnnxRuntimeForEveryBatchSize(@TempDir Path dir) throws Exception {
    float[] wv = new float[IN * OUT];
    float[] bv = new float[OUT];
    for (int i = 0; i < wv.length; i++) {
      wv[i] = (float) Math.sin(i + 1);
    }
    for (int j = 0; j < OUT; j++) {
      bv[j] = 0.25f * (j - 1.5f);
    }
    Path file = dir.resolve("gemm_relu.onnx");
    OnnxModelFile.write(gemmRelu(Tensor.of(wv, IN, OUT), Tensor.of(bv, OUT)), file);
    assertThat(Files.readAllBytes(file))
        .as("the streamed file equals the in-memory encoding")
        .isEqualTo(OnnxModelFile.toByteArray(gemmRelu(Tensor.of(wv, IN, OUT), Tensor.of(bv, OUT))));

    try (OrtHarness ort = new OrtHarness(file)) {
      for (int batch : new int[] {1, 2, 7}) {
        float[] xv = new float[batch * IN];
        for (int i = 0; i < xv.length; i++) {
          xv[i] = (float) Math.cos(3 * i) * 2;
        }
        Tensor y = ort.run(Map.of("x", Tensor.of(xv, batch, IN))).get(0);
        assertThat(y.shape().dims()).containsExactly(batch, OUT);
        float[] got = y.toFloatArray();
        for (int n = 0; n < batch; n++) {
          for (int j = 0; j < OUT; j++) {
            double acc = bv[j];
            double mag = Math.abs(bv[j]);
            for (int k = 0; k < IN; k++) {
              acc += (double) xv[n * IN + k] * wv[k * OUT + j];
              mag += Math.abs((double) xv[n * IN + k] * wv[k * OUT + j]);
            }
            double expected = Math.max(0, acc);
            // float32 sum of IN + 1 products: each of the IN + 1 roundings is at most u = 2^-24
            // of the running magnitude, so (IN + 1) * u * sum|terms| bounds the error; the factor
            // 2 covers the products' own rounding when they are not fused (not tuned).
            double u = Math.ulp(1f) / 2;
            double tol = 2 * (IN + 1) * u * mag;
            assertThat((double) got[n * OUT + j])
                .as("batch %d, row %d, col %d", batch, n, j)
                .isCloseTo(expected, offset(tol + Double.MIN_VALUE));
          }
        }
      }
    }
  }

  @Test
  void writingReplacesTheFileAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.onnx");
    Files.writeString(file, "an older file");
    Tensor w = Tensor.of(new float[IN * OUT], IN, OUT);
    Tensor b = Tensor.of(new float[OUT], OUT);
    OnnxModelFile.write(gemmRelu(w, b), file);
    assertThat(Files.readAllBytes(file)).isEqualTo(OnnxModelFile.toByteArray(gemmRelu(w, b)));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("m.onnx");
    }

    Path noFolder = dir.resolve("missing").resolve("m.onnx");
    assertThatThrownBy(() -> OnnxModelFile.write(gemmRelu(w, b), noFolder))
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("cannot write ONNX model " + noFolder)
        .hasCauseInstanceOf(java.io.IOException.class);
  }

  @Test
  void malformedGraphsAreExportErrorsBeforeAnyFileIsWritten() {
    Tensor w = Tensor.of(new float[IN * OUT], IN, OUT);
    assertThatThrownBy(
            () ->
                OnnxGraph.builder("g")
                    .input(OnnxValueInfo.of("x", DType.FLOAT32, -1, IN))
                    .output(OnnxValueInfo.of("y", DType.FLOAT32, -1, OUT))
                    .node(OnnxNode.of("MatMul", "mm", List.of("x", "w"), "y"))
                    .build())
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("node mm (MatMul) reads w, which no graph input, initializer");
    assertThatThrownBy(
            () ->
                OnnxGraph.builder("g")
                    .input(OnnxValueInfo.of("x", DType.FLOAT32, -1, IN))
                    .initializer("x", w)
                    .output(OnnxValueInfo.of("x", DType.FLOAT32, -1, IN))
                    .build())
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("value x is defined twice (again as initializer)");
    assertThatThrownBy(
            () ->
                OnnxGraph.builder("g")
                    .input(OnnxValueInfo.of("x", DType.FLOAT32, -1, IN))
                    .output(OnnxValueInfo.of("z", DType.FLOAT32, -1, IN))
                    .build())
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("output z is not produced by any node");
  }
}
