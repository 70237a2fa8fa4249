package dev.sonnet.export.onnx;

import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.export.DimExpr;
import dev.sonnet.export.SymbolicShape;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.HalfFloats;
import dev.sonnet.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds nodes and constants to an {@link OnnxGraph.Builder} with fresh names, and builds the int64
 * shape tensors that ONNX's {@code Reshape}, {@code Expand}, {@code Slice} and {@code Split} read
 * from the graph's symbolic sizes: each symbol ({@code batch}) is read once from the input that
 * defines it ({@code Shape(x, start=axis, end=axis+1)}), and each size expression ({@code
 * 3*batch+1}) is computed once with {@code Mul}/{@code Add} and reused.
 *
 * <p>A loop body (a subgraph) has an emitter of its own, made with {@link #forSubgraph}: its nodes
 * and its shape tensors go into the body, read from the body's own inputs, with names under the
 * body's prefix ({@code scan0/}) so that no body value shadows an outer one. Its constants go to
 * the main graph's initializers, which the body reads from outer scope (see {@link GraphToOnnx}).
 */
final class OnnxEmitter {
  private final OnnxGraph.Builder out;
  private final Map<String, String> symbolSources;
  private final Map<String, String> dimTensors = new HashMap<>();
  private final Map<String, String> scalarConstants = new HashMap<>();
  private final String prefix;
  // The main graph's emitter, which makes every constant; null for the main graph's own.
  private final OnnxEmitter constants;
  private int nextName;

  /**
   * The emitter of a model's main graph.
   *
   * @param symbolSources for each symbol, where to read it: the name of a graph input and the axis,
   *     as {@code "input:axis"}
   */
  OnnxEmitter(OnnxGraph.Builder out, Map<String, String> symbolSources) {
    this(out, symbolSources, "", null);
  }

  private OnnxEmitter(
      OnnxGraph.Builder out,
      Map<String, String> symbolSources,
      String prefix,
      OnnxEmitter constants) {
    this.out = out;
    this.symbolSources = symbolSources;
    this.prefix = prefix;
    this.constants = constants;
  }

  /**
   * An emitter for the subgraph {@code body}: its names start with {@code prefix}, its symbols are
   * read from {@code symbolSources} (names the body can see), its constants are made by the main
   * graph's emitter.
   */
  OnnxEmitter forSubgraph(
      OnnxGraph.Builder body, String prefix, Map<String, String> symbolSources) {
    return new OnnxEmitter(body, symbolSources, prefix, constants == null ? this : constants);
  }

  /**
   * A name no other value of the model has: the graph's own values are {@code %id}, and each
   * subgraph's names carry its prefix.
   */
  String fresh(String hint) {
    return prefix + hint + "_" + nextName++;
  }

  /** Adds a node with one output named {@code output}; returns that name. */
  String node(String opType, List<String> inputs, String output, OnnxAttribute... attributes) {
    out.node(OnnxNode.of(opType, output, inputs, output, attributes));
    return output;
  }

  /** Adds a node with a fresh output name; returns it. */
  String node(String opType, List<String> inputs, OnnxAttribute... attributes) {
    return node(opType, inputs, fresh(opType), attributes);
  }

  /** Adds a node with several outputs. */
  void node(String opType, List<String> inputs, List<String> outputs, OnnxAttribute... attrs) {
    out.node(new OnnxNode(opType, outputs.get(0), inputs, outputs, List.of(attrs)));
  }

  /** A constant initializer of the main graph; returns its name. */
  String constant(String hint, HostArray value) {
    if (constants != null) {
      return constants.constant(hint, value);
    }
    String name = fresh(hint);
    out.initializer(name, value);
    return name;
  }

  /** A rank-0 constant of {@code dtype} (shared between nodes that use the same one). */
  String scalar(DType dtype, double value) {
    if (constants != null) {
      return constants.scalar(dtype, value);
    }
    String key = dtype + ":" + Double.doubleToRawLongBits(value);
    String name = scalarConstants.get(key);
    if (name == null) {
      Shape s = Shape.SCALAR;
      HostArray a =
          switch (dtype) {
            case FLOAT32 -> HostArray.of(new float[] {(float) value}, s);
            case FLOAT64 -> HostArray.of(new double[] {value}, s);
            case INT32 -> HostArray.of(new int[] {(int) value}, s);
            case INT64 -> HostArray.of(new long[] {(long) value}, s);
            case BOOL -> HostArray.of(new boolean[] {value != 0}, s);
            case BFLOAT16, FLOAT16 ->
                HostArray.ofBits(dtype, new short[] {HalfFloats.toBits(dtype, (float) value)}, s);
          };
      name = constant("scalar", a);
      scalarConstants.put(key, name);
    }
    return name;
  }

  /** A 1-D int64 constant. */
  String int64s(String hint, long... values) {
    return constant(hint, HostArray.of(values.clone(), Shape.of(values.length)));
  }

  /** A 1-D int64 tensor of the sizes {@code dims}: a constant when all are known. */
  String shapeTensor(List<DimExpr> dims) {
    List<String> parts = new ArrayList<>();
    List<Long> run = new ArrayList<>();
    for (DimExpr d : dims) {
      if (d.isConstant()) {
        run.add(d.constant());
      } else {
        if (!run.isEmpty()) {
          parts.add(int64s("dims", unbox(run)));
          run.clear();
        }
        parts.add(dimTensor(d));
      }
    }
    if (!run.isEmpty()) {
      parts.add(int64s("dims", unbox(run)));
    }
    if (parts.isEmpty()) {
      return int64s("dims");
    }
    return parts.size() == 1 ? parts.get(0) : node("Concat", parts, OnnxAttribute.of("axis", 0L));
  }

  /** The shape tensor of {@code shape}. */
  String shapeTensor(SymbolicShape shape) {
    return shapeTensor(shape.dims());
  }

  /** A 1-element int64 tensor holding {@code d}'s value at run time. */
  String dimTensor(DimExpr d) {
    String key = d.toString();
    String name = dimTensors.get(key);
    if (name != null) {
      return name;
    }
    if (d.isConstant()) {
      name = int64s("dim", d.constant());
    } else {
      name = null;
      for (String s : d.symbols()) {
        String sym = symbolTensor(s);
        name = name == null ? sym : node("Mul", List.of(name, sym));
      }
      if (d.coefficient() != 1) {
        name = node("Mul", List.of(name, int64s("coefficient", d.coefficient())));
      }
      if (d.constant() != 0) {
        name = node("Add", List.of(name, int64s("offset", d.constant())));
      }
    }
    dimTensors.put(key, name);
    return name;
  }

  private String symbolTensor(String symbol) {
    String key = "symbol:" + symbol;
    String name = dimTensors.get(key);
    if (name == null) {
      String source = symbolSources.get(symbol);
      if (source == null) {
        throw new OnnxExportException(
            "ONNX export: the size " + symbol + " is not a dimension of any function input");
      }
      int colon = source.lastIndexOf(':');
      long axis = Long.parseLong(source.substring(colon + 1));
      name =
          node(
              "Shape",
              List.of(source.substring(0, colon)),
              fresh(symbol),
              OnnxAttribute.of("start", axis),
              OnnxAttribute.of("end", axis + 1));
      dimTensors.put(key, name);
    }
    return name;
  }

  private static long[] unbox(List<Long> values) {
    long[] a = new long[values.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = values.get(i);
    }
    return a;
  }
}
