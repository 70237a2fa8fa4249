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
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX file layer alone, proven by ONNX Runtime: a graph built by hand ({@code Gemm} then
 * {@code Relu}, weights as initializers, a symbolic batch dimension) loads and computes what plain
 * loops compute, for several batch sizes. If a field number or an encoding were wrong, ONNX Runtime
 * would refuse the file or compute something else. Likewise a {@code Scan} whose body (a {@code
 * GRAPH} attribute) has an initializer of its own and reads one of the main graph's by name.
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

  /**
   * A running affine map over the rows of {@code xs [time, 2]}: {@code h <- (h + x) * scale +
   * shift}, {@code h} carried from {@code h0}, each step's {@code h} stacked into {@code ys}.
   * {@code scale} is an initializer of the main graph that the body reads from outer scope; {@code
   * shift} is an initializer of the body itself.
   */
  private static OnnxGraph runningAffine() {
    OnnxGraph.Builder main =
        OnnxGraph.builder("running_affine")
            .input(
                new OnnxValueInfo(
                    "xs", DType.FLOAT32, new int[] {-1, 2}, new String[] {"time", null}))
            .input(OnnxValueInfo.of("h0", DType.FLOAT32, 2))
            .output(
                new OnnxValueInfo(
                    "ys", DType.FLOAT32, new int[] {-1, 2}, new String[] {"time", null}))
            .output(OnnxValueInfo.of("h", DType.FLOAT32, 2))
            .initializer("scale", Tensor.of(new float[] {0.5f, -1.5f}, 2));
    OnnxGraph body =
        main.subgraph("step")
            .input(OnnxValueInfo.of("step/h", DType.FLOAT32, 2))
            .input(OnnxValueInfo.of("step/x", DType.FLOAT32, 2))
            .initializer("step/shift", Tensor.scalar(0.25f))
            .node(OnnxNode.of("Add", "step/sum", List.of("step/h", "step/x"), "step/sum"))
            .node(OnnxNode.of("Mul", "step/scaled", List.of("step/sum", "scale"), "step/scaled"))
            .node(
                OnnxNode.of("Add", "step/next", List.of("step/scaled", "step/shift"), "step/next"))
            .node(OnnxNode.of("Identity", "step/y", List.of("step/next"), "step/y"))
            .output(OnnxValueInfo.of("step/next", DType.FLOAT32, 2))
            .output(OnnxValueInfo.of("step/y", DType.FLOAT32, 2))
            .build();
    return main.node(
            new OnnxNode(
                "Scan",
                "loop",
                List.of("h0", "xs"),
                List.of("h", "ys"),
                List.of(
                    OnnxAttribute.graph("body", body),
                    OnnxAttribute.of("num_scan_inputs", 1L),
                    OnnxAttribute.ints("scan_input_axes", 0),
                    OnnxAttribute.ints("scan_output_axes", 0))))
        .build();
  }

  @Test
  void handBuiltScanReadingAnOuterInitializerRunsInOnnxRuntimeForEveryLength() throws Exception {
    try (OrtHarness ort = new OrtHarness(OnnxModelFile.toByteArray(runningAffine()))) {
      float[] scale = {0.5f, -1.5f};
      for (int steps : new int[] {1, 3, 8}) {
        float[] xs = new float[steps * 2];
        for (int i = 0; i < xs.length; i++) {
          xs[i] = (float) Math.sin(i + steps);
        }
        float[] h = {0.125f, -2f};
        List<Tensor> got =
            ort.run(Map.of("xs", Tensor.of(xs, steps, 2), "h0", Tensor.of(h.clone(), 2)));
        assertThat(got.get(0).shape().dims()).containsExactly(steps, 2);
        // The same three float32 roundings per element and step as ONNX Runtime's Add, Mul, Add:
        // the results are equal bit for bit.
        float[] ys = new float[steps * 2];
        for (int t = 0; t < steps; t++) {
          for (int j = 0; j < 2; j++) {
            h[j] = (h[j] + xs[t * 2 + j]) * scale[j] + 0.25f;
            ys[t * 2 + j] = h[j];
          }
        }
        assertThat(got.get(0).toFloatArray()).containsExactly(ys);
        assertThat(got.get(1).toFloatArray()).containsExactly(h);
      }
    }
  }

  /** A length-delimited protobuf field, written by hand: tag, one-byte length, then the parts. */
  private static byte[] field(int number, Object... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (Object p : parts) {
      byte[] b = p instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) p;
      content.writeBytes(b);
    }
    assertThat(content.size()).isLessThan(128);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(number << 3 | 2);
    out.write(content.size());
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aGraphAttributeIsAnAttributeProtoWithItsGraphInFieldGAndTypeGraph() {
    OnnxGraph.Builder main =
        OnnxGraph.builder("main")
            .input(OnnxValueInfo.of("s", DType.FLOAT32, 1))
            .input(OnnxValueInfo.of("xs", DType.FLOAT32, 3, 1))
            .output(OnnxValueInfo.of("out", DType.FLOAT32, 1));
    OnnxGraph body =
        main.subgraph("g")
            .input(OnnxValueInfo.of("a", DType.FLOAT32, 1))
            .input(OnnxValueInfo.of("x", DType.FLOAT32, 1))
            .node(OnnxNode.of("Identity", "b", List.of("a"), "b"))
            .output(OnnxValueInfo.of("b", DType.FLOAT32, 1))
            .build();
    OnnxGraph model =
        main.node(
                OnnxNode.of(
                    "Scan",
                    "out",
                    List.of("s", "xs"),
                    "out",
                    OnnxAttribute.graph("body", body),
                    OnnxAttribute.of("num_scan_inputs", 1L)))
            .build();
    // onnx.proto: ValueInfoProto {name = 1, type = 2}, TypeProto {tensor_type = 1},
    // TypeProto.Tensor {elem_type = 1 (FLOAT is 1), shape = 2}, TensorShapeProto {dim = 1},
    // Dimension {dim_value = 1}; one float32 [1] value:
    byte[] float1 = field(2, field(1, bytes(0x08, 1), field(2, field(1, bytes(0x08, 1))))); // type
    // NodeProto {input = 1, output = 2, name = 3, op_type = 4};
    // GraphProto {node = 1, name = 2, input = 11, output = 12}.
    byte[] graph =
        concat(
            field(1, field(1, "a"), field(2, "b"), field(3, "b"), field(4, "Identity")),
            field(2, "g"),
            field(11, field(1, "a"), float1),
            field(11, field(1, "x"), float1),
            field(12, field(1, "b"), float1));
    // AttributeProto {name = 1, g = 6, type = 20 (a varint: tag 160 = 0xA0 0x01), GRAPH = 5}.
    byte[] attribute = concat(field(1, "body"), field(6, graph), bytes(0xA0, 0x01, 5));
    byte[] file = OnnxModelFile.toByteArray(model);
    int at = indexOf(file, attribute);
    assertThat(at).as("the attribute's bytes in the model").isPositive();
    // ... inside the Scan node as its field 5 (attribute), whose length prefix precedes it.
    assertThat(file[at - 2]).isEqualTo((byte) (5 << 3 | 2));
    assertThat(file[at - 1]).isEqualTo((byte) attribute.length);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void aSubgraphMayReadOuterValuesDefinedBeforeItsNodeButNeitherDanglingNorShadowing() {
    OnnxGraph.Builder main =
        OnnxGraph.builder("main")
            .input(OnnxValueInfo.of("x", DType.FLOAT32, 2))
            .output(OnnxValueInfo.of("y", DType.FLOAT32, 2));
    // A name defined nowhere is still a dangling reference inside a subgraph.
    assertThatThrownBy(
            () ->
                main.subgraph("body")
                    .input(OnnxValueInfo.of("a", DType.FLOAT32, 2))
                    .node(OnnxNode.of("Add", "b", List.of("a", "nowhere"), "b"))
                    .output(OnnxValueInfo.of("b", DType.FLOAT32, 2))
                    .build())
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("node b (Add) reads nowhere, which no graph input")
        .hasMessageContaining("in an enclosing graph");
    // ONNX forbids a subgraph to define a name its enclosing graph defines.
    assertThatThrownBy(
            () ->
                main.subgraph("body")
                    .input(OnnxValueInfo.of("a", DType.FLOAT32, 2))
                    .node(OnnxNode.of("Neg", "x", List.of("a"), "x"))
                    .output(OnnxValueInfo.of("x", DType.FLOAT32, 2))
                    .build())
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("x shadows a value of an enclosing graph");
    // Reading the outer input x is fine; but a subgraph built against an explicit scope that
    // names a value the enclosing graph makes only after the node is caught there.
    OnnxGraph early =
        main.subgraph("early")
            .input(OnnxValueInfo.of("a", DType.FLOAT32, 2))
            .node(OnnxNode.of("Add", "b", List.of("a", "x"), "b"))
            .output(OnnxValueInfo.of("b", DType.FLOAT32, 2))
            .build();
    assertThat(early.outerReads()).containsExactly("x");
    OnnxGraph late =
        OnnxGraph.builder("late", Set.of("x", "later"))
            .input(OnnxValueInfo.of("c", DType.FLOAT32, 2))
            .node(OnnxNode.of("Add", "d", List.of("c", "later"), "d"))
            .output(OnnxValueInfo.of("d", DType.FLOAT32, 2))
            .build();
    assertThatThrownBy(
            () ->
                OnnxGraph.builder("main")
                    .input(OnnxValueInfo.of("x", DType.FLOAT32, 2))
                    .input(OnnxValueInfo.of("xs", DType.FLOAT32, 1, 2))
                    .output(OnnxValueInfo.of("later", DType.FLOAT32, 2))
                    .node(
                        new OnnxNode(
                            "Scan",
                            "loop",
                            List.of("x", "xs"),
                            List.of("h", "ys"),
                            List.of(
                                OnnxAttribute.graph("body", late),
                                OnnxAttribute.of("num_scan_inputs", 1L))))
                    .node(OnnxNode.of("Identity", "later", List.of("h"), "later"))
                    .build())
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("node loop (Scan) has a subgraph late that reads later");
  }
}
