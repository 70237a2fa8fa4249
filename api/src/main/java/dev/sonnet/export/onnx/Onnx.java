package dev.sonnet.export.onnx;

import dev.sonnet.export.Graph;
import dev.sonnet.export.GraphFunction;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Exports traced functions as ONNX models, the format most serving stacks read (ONNX Runtime,
 * TensorRT, OpenVINO, ...).
 *
 * <p>The file imports the default operator set, version {@value OnnxModelFile#OPSET_VERSION} (IR
 * version {@value OnnxModelFile#IR_VERSION}). Each variable is an initializer named by its variable
 * name, holding its value at the time of export; inputs keep their names and every unknown
 * dimension of an input spec ({@code -1}) becomes a symbolic {@code dim_param} named by its symbol
 * ({@code batch}), so one file serves every batch size. Outputs are {@code output_0, output_1,
 * ...}. A loop traced as one node ({@code Unroll.dynamicUnroll}, {@code UnrolledLSTM}) becomes an
 * ONNX {@code Scan}, so the sequence length stays open too ({@code TensorSpec.of(FLOAT32, -1, -1,
 * 128).withSymbol(0, "time")}). How each op is translated: {@link GraphToOnnx}.
 *
 * <p>Export fails with an {@link OnnxExportException} naming the node and module path when an op
 * has no faithful ONNX form at this opset; nothing is written then.
 */
public final class Onnx {
  private Onnx() {}

  /**
   * Writes {@code function} as the ONNX model {@code path}: its traced graph, with the current
   * values of its variables as initializers. The ONNX graph is named after the function.
   *
   * <pre>{@code
   * GraphFunction inference =
   *     Tracing.trace(TensorFunction.of(mlp::call), TensorSpec.of(DType.FLOAT32, -1, 784));
   * Onnx.export(inference, Path.of("mlp.onnx"));   // input "input0": float32[batch, 784]
   * }</pre>
   *
   * @throws OnnxExportException naming the node and module of an op ONNX cannot express, or on an
   *     I/O error; nothing is left at {@code path} then
   */
  public static void export(GraphFunction function, Path path) {
    OnnxModelFile.write(toOnnxGraph(function), path);
  }

  /** The ONNX graph of {@code function}, without writing it. */
  public static OnnxGraph toOnnxGraph(GraphFunction function) {
    Map<String, Tensor> values = new HashMap<>();
    for (Variable v : function.variables()) {
      values.put(v.name(), v.peek());
    }
    return GraphToOnnx.convert(function.name(), function.graph(), values::get);
  }

  /**
   * Writes {@code graph} as the ONNX model {@code path}, reading each variable's value with {@code
   * variables} (by variable name).
   */
  public static void export(Graph graph, Function<String, Tensor> variables, Path path) {
    OnnxModelFile.write(toOnnxGraph(graph, variables, graphName(path)), path);
  }

  /** Like {@link #export(Graph, Function, Path)} with the variables' values in a map. */
  public static void export(Graph graph, Map<String, Tensor> variables, Path path) {
    export(graph, variables::get, path);
  }

  /** The ONNX graph of {@code graph}, without writing it (to inspect or to write elsewhere). */
  public static OnnxGraph toOnnxGraph(
      Graph graph, Function<String, Tensor> variables, String graphName) {
    return GraphToOnnx.convert(graphName, graph, variables);
  }

  private static String graphName(Path path) {
    String file = path.getFileName().toString();
    return file.endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
  }
}
