package dev.sonnet.runtime.cpu.onnx;

import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.export.DimExpr;
import dev.sonnet.export.Graph;
import dev.sonnet.export.GraphConstant;
import dev.sonnet.export.GraphInput;
import dev.sonnet.export.GraphOp;
import dev.sonnet.export.GraphVariable;
import dev.sonnet.export.Node;
import dev.sonnet.export.SymbolicShape;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.export.Value;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds small graphs of the export IR by hand, one op at a time, for the exporter's op tests. */
final class TestGraph {
  static final DimExpr BATCH = DimExpr.symbol(TensorSpec.BATCH);

  private int nextId;
  private final List<GraphInput> inputs = new ArrayList<>();
  private final List<GraphVariable> variables = new ArrayList<>();
  private final List<GraphConstant> constants = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  final Map<String, Tensor> variableValues = new LinkedHashMap<>();

  /** Dimensions from ints, with {@code -1} standing for the symbol {@code batch}. */
  static SymbolicShape shape(int... dims) {
    List<DimExpr> d = new ArrayList<>();
    for (int x : dims) {
      d.add(x == -1 ? BATCH : DimExpr.constant(x));
    }
    return new SymbolicShape(d);
  }

  Value input(String name, TensorSpec spec) {
    Value v = new Value(nextId++, spec.dtype(), spec.symbolicShape());
    inputs.add(new GraphInput(name, spec.named(name), v));
    return v;
  }

  Value variable(String name, Tensor value) {
    Value v = new Value(nextId++, value.dtype(), SymbolicShape.of(value.shape()));
    variables.add(new GraphVariable(name, true, v));
    variableValues.put(name, value);
    return v;
  }

  Value constant(Tensor value) {
    Value v = new Value(nextId++, value.dtype(), SymbolicShape.of(value.shape()));
    constants.add(new GraphConstant(v, HostArray.of(value)));
    return v;
  }

  Value node(GraphOp op, DType dtype, SymbolicShape shape, Value... in) {
    return nodeN(op, List.of(shape), dtype, in).get(0);
  }

  List<Value> nodeN(GraphOp op, List<SymbolicShape> shapes, DType dtype, Value... in) {
    List<Value> outs = new ArrayList<>();
    for (SymbolicShape s : shapes) {
      outs.add(new Value(nextId++, dtype, s));
    }
    nodes.add(new Node(op, List.of(in), outs, "test/" + op.name()));
    return outs;
  }

  Graph build(Value... outputs) {
    return new Graph(inputs, variables, constants, nodes, List.of(outputs));
  }
}
