package dev.sonnet.export;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A traced function as data: its inputs (with specs whose dimensions may be unknown), the variables
 * and constants it reads, its nodes in an order where each node's inputs are defined before it (a
 * topological order: the order they ran when traced), and its outputs.
 *
 * <p>This is the intermediate representation every consumer shares: a loaded saved model's
 * functions run it, the saved format writes it, exporters (ONNX) translate it. It is immutable and
 * checked when made: value ids are unique, every value read is defined earlier with the same dtype
 * and shape, and every symbol an expression uses is a symbol of an input.
 *
 * <p>Example, an MLP's {@code inference} traced with {@code TensorSpec.of(FLOAT32, -1, 784)}:
 *
 * <pre>
 * inputs:    %0: float32[batch, 784]  (input0)
 * variables: %1: float32[784, 64] mlp/linear_0/w, %2: float32[64] mlp/linear_0/b, ...
 * %5: float32[batch, 64] = MatMul[transposeA=false, transposeB=false](%0, %1)  # mlp/linear_0
 * %6: float32[batch, 64] = Binary[kind=ADD](%5, %2)  # mlp/linear_0
 * %7: float32[batch, 64] = Unary[kind=RELU](%6)  # mlp
 * ...
 * outputs:   %11
 * </pre>
 *
 * @param inputs the function's arguments, in order
 * @param variables the variables read, each once
 * @param constants the captured constants
 * @param nodes the operations, inputs defined before use
 * @param outputs the results, in order (a value may appear more than once, or be an input)
 */
public record Graph(
    List<GraphInput> inputs,
    List<GraphVariable> variables,
    List<GraphConstant> constants,
    List<Node> nodes,
    List<Value> outputs) {

  public Graph {
    inputs = List.copyOf(inputs);
    variables = List.copyOf(variables);
    constants = List.copyOf(constants);
    nodes = List.copyOf(nodes);
    outputs = List.copyOf(outputs);
    check(inputs, variables, constants, nodes, outputs);
  }

  /** The symbols of the inputs' unknown dimensions, in order of first appearance. */
  public Set<String> symbols() {
    Set<String> out = new LinkedHashSet<>();
    for (GraphInput in : inputs) {
      for (String s : in.spec().symbols()) {
        if (s != null) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** One node per line, as in the class comment; for debugging and error messages. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (GraphInput in : inputs) {
      sb.append("input ").append(in.value()).append(" (").append(in.name()).append(")\n");
    }
    for (GraphVariable v : variables) {
      sb.append("variable ").append(v.value()).append(' ').append(v.name()).append('\n');
    }
    for (GraphConstant c : constants) {
      sb.append("constant ").append(c.value()).append('\n');
    }
    for (Node n : nodes) {
      sb.append(n).append('\n');
    }
    sb.append("outputs");
    for (Value v : outputs) {
      sb.append(" %").append(v.id());
    }
    return sb.append('\n').toString();
  }

  private static void check(
      List<GraphInput> inputs,
      List<GraphVariable> variables,
      List<GraphConstant> constants,
      List<Node> nodes,
      List<Value> outputs) {
    Map<Integer, Value> defined = new HashMap<>();
    Set<String> symbols = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (GraphInput in : inputs) {
      if (!names.add(in.name())) {
        throw new IllegalArgumentException("Graph: two inputs are named " + in.name());
      }
      if (!in.value().shape().equals(in.spec().symbolicShape())
          || in.value().dtype() != in.spec().dtype()) {
        throw new IllegalArgumentException(
            "Graph: input " + in.name() + " value " + in.value() + " does not match " + in.spec());
      }
      define(defined, in.value());
      for (String s : in.spec().symbols()) {
        if (s != null) {
          symbols.add(s);
        }
      }
    }
    names.clear();
    for (GraphVariable v : variables) {
      if (!names.add(v.name())) {
        throw new IllegalArgumentException("Graph: variable " + v.name() + " listed twice");
      }
      requireConstantShape(v.value(), "variable " + v.name());
      define(defined, v.value());
    }
    for (GraphConstant c : constants) {
      requireConstantShape(c.value(), "constant");
      if (c.data().dtype() != c.value().dtype()
          || !SymbolicShape.of(c.data().shape()).equals(c.value().shape())) {
        throw new IllegalArgumentException(
            "Graph: constant " + c.value() + " holds " + c.data().dtype() + c.data().shape());
      }
      define(defined, c.value());
    }
    for (Node n : nodes) {
      for (Value in : n.inputs()) {
        requireDefined(defined, in, "node " + n.op().name());
      }
      for (Value out : n.outputs()) {
        checkSymbols(out.shape(), symbols, n.op().name());
        define(defined, out);
      }
    }
    for (Value out : outputs) {
      requireDefined(defined, out, "graph outputs");
    }
  }

  private static void define(Map<Integer, Value> defined, Value v) {
    if (defined.putIfAbsent(v.id(), v) != null) {
      throw new IllegalArgumentException("Graph: value id " + v.id() + " defined twice");
    }
  }

  private static void requireDefined(Map<Integer, Value> defined, Value v, String where) {
    Value d = defined.get(v.id());
    if (d == null) {
      throw new IllegalArgumentException(
          "Graph: " + where + " reads %" + v.id() + ", which is not defined before it");
    }
    if (!d.equals(v)) {
      throw new IllegalArgumentException(
          "Graph: " + where + " reads " + v + " but %" + v.id() + " is " + d);
    }
  }

  private static void requireConstantShape(Value v, String what) {
    if (!v.shape().isConstant()) {
      throw new IllegalArgumentException("Graph: " + what + " has a symbolic shape " + v.shape());
    }
  }

  private static void checkSymbols(SymbolicShape shape, Set<String> symbols, String where) {
    List<String> unknown = new ArrayList<>();
    for (DimExpr d : shape.dims()) {
      for (String s : d.symbols()) {
        if (!symbols.contains(s)) {
          unknown.add(s);
        }
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "Graph: " + where + " uses symbols " + unknown + " that no input defines");
    }
  }
}
