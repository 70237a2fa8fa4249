package dev.sonnet.export.onnx;

import dev.sonnet.utils.ProtoWriter;
import java.util.List;

/**
 * One node of an ONNX graph ({@code NodeProto}) in the default {@code ai.onnx} domain: an operator
 * type ({@code "Gemm"}, {@code "Conv"}), the names of the values it reads and writes, and its
 * attributes. An empty input name stands for an optional input left out, as ONNX specifies.
 *
 * @param opType the ONNX operator, as spelled in the operator table (Operators.md)
 * @param name a name unique in the graph, shown by tools and in ONNX Runtime's errors
 */
public record OnnxNode(
    String opType,
    String name,
    List<String> inputs,
    List<String> outputs,
    List<OnnxAttribute> attributes) {
  public OnnxNode {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    attributes = List.copyOf(attributes);
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("ONNX node " + name + " (" + opType + ") has no output");
    }
  }

  /** A node with one output. */
  public static OnnxNode of(
      String opType, String name, List<String> inputs, String output, OnnxAttribute... attrs) {
    return new OnnxNode(opType, name, inputs, List.of(output), List.of(attrs));
  }

  ProtoWriter encode() {
    ProtoWriter w = new ProtoWriter();
    for (String in : inputs) {
      w.string(1, in);
    }
    for (String out : outputs) {
      w.string(2, out);
    }
    w.string(3, name).string(4, opType);
    for (OnnxAttribute a : attributes) {
      w.message(5, a.encode());
    }
    return w;
  }
}
