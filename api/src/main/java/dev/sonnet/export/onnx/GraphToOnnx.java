package dev.sonnet.export.onnx;

import static dev.sonnet.export.onnx.OnnxAttribute.ints;
import static dev.sonnet.export.onnx.OnnxAttribute.of;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.export.DimExpr;
import dev.sonnet.export.Graph;
import dev.sonnet.export.GraphConstant;
import dev.sonnet.export.GraphInput;
import dev.sonnet.export.GraphOp;
import dev.sonnet.export.GraphVariable;
import dev.sonnet.export.Node;
import dev.sonnet.export.SymbolicShape;
import dev.sonnet.export.Value;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Translates a traced {@link Graph} into an {@link OnnxGraph}, one library op at a time, each into
 * the ONNX operators (opset {@value OnnxModelFile#OPSET_VERSION}) that compute exactly what the
 * op's Javadoc specifies. The table, with the non-obvious cases:
 *
 * <ul>
 *   <li>Elementwise ops map one to one where ONNX has the function; {@code log1p} ({@code x *
 *       log(u) / (u - 1)} with {@code u = 1 + x}, Kahan's accurate form), {@code rsqrt}, {@code
 *       square}, {@code gelu} and {@code normal_cdf} (through {@code Erf}) are short compositions.
 *   <li>{@code matmul}: {@code MatMul}; {@code Gemm} for two matrices with a transpose (as its
 *       attribute); {@code MatMul} after a {@code Transpose} of the last two axes for batches.
 *   <li>{@code conv} and {@code pool}: the library is channels-last, ONNX channels-first, so each
 *       is wrapped in {@code Transpose}s and the filters {@code [k..., C/g, O]} are transposed to
 *       {@code [O, C/g, k...]}; ONNX Runtime removes the transposes between consecutive layers and
 *       folds the filter transpose at load. Average pooling never counts padding ({@code
 *       count_include_pad=0}), as in the library.
 *   <li>Sizes that depend on an unknown input dimension ({@code reshape}, {@code broadcast_to},
 *       {@code slice}, {@code split}, {@code fill}) read it at run time with {@code Shape}, so one
 *       file serves every batch size ({@link OnnxEmitter}).
 *   <li>{@code scan}: ONNX {@code Scan}, the carried values as its state variables, the sequences
 *       as its scan inputs and the per-step outputs as its scan outputs, all along the op's axis
 *       ({@code scan_input_axes}, {@code scan_output_axes}); the sequence length stays unknown, so
 *       one file serves every length. The body is translated like a graph of its own into the
 *       node's {@code body} attribute, its names under a prefix of its own ({@code scan0/%3}, as
 *       ONNX forbids a subgraph to reuse an outer name). What the body captures (weights, a
 *       function input such as sequence lengths) is not a node input: the body reads it by its
 *       outer name, as ONNX subgraphs may. The body's shape tensors read its symbols from its own
 *       inputs. Its constants are hoisted into the main graph's initializers and read from outer
 *       scope too, rather than written as initializers of the subgraph (ONNX Runtime 1.29 runs both
 *       forms): the main graph's initializers are streamed to the file one at a time like the
 *       weights, whereas a subgraph's would be held in memory inside its node's attribute, and one
 *       scalar ({@code 1}, a step counter's increment) serves the main graph and every body.
 * </ul>
 *
 * <p>Variables become initializers named by their variable names ({@code mlp/linear_0/w}), holding
 * their values at export; constants become initializers too. Inputs keep their names, with each
 * unknown dimension as a symbolic {@code dim_param} (its symbol, {@code batch}); outputs are {@code
 * output_0, output_1, ...}. The values a node makes are named {@code %id} by their graph ids,
 * within a loop body {@code scan0/%id}.
 */
final class GraphToOnnx {
  private final Graph graph;
  private final OnnxEmitter emit;
  private final OnnxGraph.Builder out;
  // "" for the main graph; a loop body's own, like "scan0/", for a body (see LoopNames).
  private final String prefix;
  private final LoopNames loops;
  private final Map<Integer, String> names = new HashMap<>();
  // Nodes already written as part of an earlier node (a bias add folded into its Conv).
  private final java.util.Set<Node> folded = new java.util.HashSet<>();
  // Value id -> the nodes that read it; graph outputs count as readers too (null entries).
  private final Map<Integer, List<Node>> readers = new HashMap<>();

  private GraphToOnnx(
      Graph graph, OnnxGraph.Builder out, OnnxEmitter emit, String prefix, LoopNames loops) {
    this.graph = graph;
    this.out = out;
    this.emit = emit;
    this.prefix = prefix;
    this.loops = loops;
  }

  /**
   * For each symbol of {@code graph}, where to read it: the ONNX name of the first input with an
   * axis of exactly that size, and the axis, as {@code "name:axis"}.
   */
  private static Map<String, String> symbolSources(Graph graph, List<String> inputNames) {
    Map<String, String> symbolSources = new LinkedHashMap<>();
    for (int i = 0; i < graph.inputs().size(); i++) {
      SymbolicShape s = graph.inputs().get(i).value().shape();
      for (int axis = 0; axis < s.rank(); axis++) {
        if (s.dim(axis).isSymbol()) {
          symbolSources.putIfAbsent(s.dim(axis).symbols().get(0), inputNames.get(i) + ":" + axis);
        }
      }
    }
    return symbolSources;
  }

  /**
   * The ONNX graph of {@code graph}, reading each variable's current value from {@code variables}.
   *
   * @throws OnnxExportException naming the node and module path of an op ONNX cannot express
   */
  static OnnxGraph convert(String graphName, Graph graph, Function<String, Tensor> variables) {
    OnnxGraph.Builder out = OnnxGraph.builder(graphName);
    List<String> inputNames = graph.inputs().stream().map(GraphInput::name).toList();
    OnnxEmitter emit = new OnnxEmitter(out, symbolSources(graph, inputNames));
    GraphToOnnx c = new GraphToOnnx(graph, out, emit, "", new LoopNames(graph));
    return c.run(variables);
  }

  private OnnxGraph run(Function<String, Tensor> variables) {
    for (GraphInput in : graph.inputs()) {
      names.put(in.value().id(), in.name());
      out.input(valueInfo(in.name(), in.value()));
    }
    for (GraphVariable v : graph.variables()) {
      Tensor t = variables.apply(v.name());
      if (t == null) {
        throw new OnnxExportException("ONNX export: no value for variable " + v.name());
      }
      if (t.dtype() != v.value().dtype()
          || !SymbolicShape.of(t.shape()).equals(v.value().shape())) {
        throw new OnnxExportException(
            "ONNX export: variable "
                + v.name()
                + " is "
                + t.dtype()
                + t.shape()
                + " but the graph reads it as "
                + v.value());
      }
      names.put(v.value().id(), v.name());
      out.initializer(v.name(), t);
    }
    return translateAll();
  }

  /**
   * The ONNX body of a scan: its first {@code declared} inputs (carried values, then the steps of
   * the sequences) become the body's inputs, named {@code inputNames}; the rest are captures, read
   * from the enclosing graph by their names there (also in {@code inputNames}).
   */
  private OnnxGraph runBody(List<String> inputNames, int declared) {
    for (int i = 0; i < graph.inputs().size(); i++) {
      Value v = graph.inputs().get(i).value();
      names.put(v.id(), inputNames.get(i));
      if (i < declared) {
        out.input(valueInfo(inputNames.get(i), v));
      }
    }
    return translateAll();
  }

  /** Constants, nodes and outputs, once the inputs (and variables) have their names. */
  private OnnxGraph translateAll() {
    for (GraphConstant c : graph.constants()) {
      names.put(c.value().id(), emit.constant("const", c.data()));
    }
    for (Node n : graph.nodes()) {
      for (Value v : n.inputs()) {
        readers.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(n);
      }
    }
    for (Value v : graph.outputs()) {
      readers.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(null);
    }
    for (Node n : graph.nodes()) {
      if (folded.contains(n)) {
        continue;
      }
      try {
        translate(n);
      } catch (OnnxExportException e) {
        throw e;
      } catch (IllegalArgumentException | ArithmeticException e) {
        // A size expression the ONNX form cannot hold (a slice mixing symbols, an overflow).
        OnnxExportException x = unsupported(n, e.getMessage());
        x.initCause(e);
        throw x;
      }
    }
    for (int i = 0; i < graph.outputs().size(); i++) {
      Value v = graph.outputs().get(i);
      String name = prefix + "output_" + i;
      // An Identity per output: an output may be an input or appear twice, which ONNX forbids.
      emit.node("Identity", List.of(name(v)), name);
      out.output(valueInfo(name, v));
    }
    return out.build();
  }

  /**
   * Names the loop bodies of one export: {@code scan0/}, {@code scan1/}, ... in the order met, a
   * nested body under its parent's ({@code scan0/scan2/}), skipping any prefix that an input or
   * variable name of the main graph starts with. Every other name the exporter makes has no {@code
   * /} ({@code %5}, {@code Shape_3}), so a body's names are new to the whole model.
   */
  private static final class LoopNames {
    private final List<String> mainNames = new ArrayList<>();
    private int next;

    LoopNames(Graph main) {
      main.inputs().forEach(in -> mainNames.add(in.name()));
      main.variables().forEach(v -> mainNames.add(v.name()));
    }

    String prefix(String parent) {
      while (true) {
        String p = parent + "scan" + next++ + "/";
        if (mainNames.stream().noneMatch(name -> name.startsWith(p))) {
          return p;
        }
      }
    }
  }

  private static OnnxValueInfo valueInfo(String name, Value v) {
    SymbolicShape s = v.shape();
    int[] dims = new int[s.rank()];
    String[] params = new String[s.rank()];
    for (int i = 0; i < dims.length; i++) {
      DimExpr d = s.dim(i);
      if (d.isConstant()) {
        dims[i] = Math.toIntExact(d.constant());
      } else {
        dims[i] = -1;
        // A size such as 3*batch is written as a name too: ONNX treats any dim_param as a
        // symbol, and tools show the formula.
        params[i] = d.toString();
      }
    }
    return new OnnxValueInfo(name, v.dtype(), dims, params);
  }

  private String name(Value v) {
    String n = names.get(v.id());
    if (n == null) {
      throw new IllegalStateException("value %" + v.id() + " was not translated");
    }
    return n;
  }

  private String in(Node n, int i) {
    return name(n.inputs().get(i));
  }

  private String outName(Node n, int i) {
    String name = prefix + "%" + n.outputs().get(i).id();
    names.put(n.outputs().get(i).id(), name);
    return name;
  }

  private static OnnxExportException unsupported(Node n, String why) {
    return new OnnxExportException(
        "ONNX export (opset "
            + OnnxModelFile.OPSET_VERSION
            + ") cannot express node "
            + n
            + modulePathSuffix(n)
            + ": "
            + why);
  }

  private static String modulePathSuffix(Node n) {
    return n.modulePath().isEmpty() ? "" : " of module " + n.modulePath();
  }

  private void translate(Node n) {
    switch (n.op()) {
      case GraphOp.Unary u -> unary(u.kind(), in(n, 0), n.inputs().get(0).dtype(), outName(n, 0));
      case GraphOp.Binary b -> binary(b.kind(), in(n, 0), in(n, 1), outName(n, 0));
      case GraphOp.Cast c ->
          emit.node(
              "Cast",
              List.of(in(n, 0)),
              outName(n, 0),
              of("to", (long) OnnxValueInfo.onnxElementType(c.dtype())));
      case GraphOp.MatMul m ->
          matmul(n, m.transposeA(), m.transposeB(), in(n, 0), in(n, 1), outName(n, 0));
      case GraphOp.Reshape r -> reshape(n, r.shape());
      case GraphOp.BroadcastTo b ->
          emit.node("Expand", List.of(in(n, 0), emit.shapeTensor(b.shape())), outName(n, 0));
      case GraphOp.Permute p ->
          emit.node(
              "Transpose",
              List.of(in(n, 0)),
              outName(n, 0),
              ints("perm", p.perm().stream().mapToInt(Integer::intValue).toArray()));
      case GraphOp.Slice s -> slice(n, s);
      case GraphOp.Split s -> split(n, s);
      case GraphOp.Concat c -> {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
          inputs.add(in(n, i));
        }
        emit.node("Concat", inputs, outName(n, 0), of("axis", (long) c.axis()));
      }
      case GraphOp.Pad p -> pad(n, p);
      case GraphOp.Gather g ->
          emit.node(
              "Gather", List.of(in(n, 0), in(n, 1)), outName(n, 0), of("axis", (long) g.axis()));
      case GraphOp.Where w ->
          emit.node("Where", List.of(in(n, 0), in(n, 1), in(n, 2)), outName(n, 0));
      case GraphOp.Reduce r -> reduce(n, r);
      case GraphOp.Conv c -> {
        Node add = foldableBiasAdd(n);
        if (add == null) {
          conv(n, c.params(), in(n, 1), null, null, outName(n, 0));
        } else {
          // Conv then "+ b" with a constant [O] bias: ONNX's Conv takes the bias as its third
          // input, which is how other exporters write a conv layer and what runtimes fuse best.
          Value bias = add.inputs().get(add.inputs().get(0).equals(n.outputs().get(0)) ? 1 : 0);
          folded.add(add);
          conv(n, c.params(), in(n, 1), name(bias), null, outName(add, 0));
        }
      }
      case GraphOp.Pool p -> pool(n, p);
      case GraphOp.Fill f ->
          emit.node(
              "Expand",
              List.of(emit.scalar(f.dtype(), f.value()), emit.shapeTensor(f.shape())),
              outName(n, 0));
      case GraphOp.FusedMatMul f -> {
        String product = emit.fresh("matmul");
        matmul(n, f.transposeA(), f.transposeB(), in(n, 0), in(n, 1), product);
        String sum = f.hasBias() ? emit.node("Add", List.of(product, in(n, 2))) : product;
        activation(f.activation(), sum, n.outputs().get(0).dtype(), outName(n, 0));
      }
      case GraphOp.Scan sc -> scan(n, sc);
      case GraphOp.FusedConv f ->
          conv(
              n,
              f.params(),
              in(n, 1),
              f.hasBias() ? in(n, 2) : null,
              f.activation(),
              outName(n, 0));
      // Only a WinogradConv reads the transformed filter, and ONNX gets that one as the plain
      // convolution of the untransformed filter: nothing to emit.
      case GraphOp.WinogradFilter f -> {}
      case GraphOp.ConvMaxPool f -> {
        String conv = emit.fresh("conv");
        int biasInput = f.winograd() ? 3 : 2;
        conv(n, f.params(), in(n, 1), f.hasBias() ? in(n, biasInput) : null, f.activation(), conv);
        maxPool2x2(conv, outName(n, 0));
      }
      case GraphOp.WinogradConv f ->
          conv(
              n,
              f.params(),
              in(n, 1),
              f.hasBias() ? in(n, 3) : null,
              f.activation(),
              outName(n, 0));
    }
  }

  /**
   * ONNX {@code Scan}: the carried values are its state variables and the sequences its scan
   * inputs, both along {@code axis}; the per-step outputs are stacked along {@code axis} too. The
   * captures are not inputs of the ONNX node: the body reads them by their names in this graph, as
   * ONNX lets a subgraph read its enclosing scope.
   */
  private void scan(Node n, GraphOp.Scan sc) {
    Graph body = sc.body();
    int declared = sc.carried() + sc.sequences();
    String bodyPrefix = loops.prefix(prefix);
    List<String> bodyInputs = new ArrayList<>();
    for (int i = 0; i < body.inputs().size(); i++) {
      bodyInputs.add(i < declared ? bodyPrefix + body.inputs().get(i).name() : in(n, i));
    }
    OnnxGraph.Builder bodyOut = out.subgraph(bodyPrefix + "body");
    OnnxEmitter bodyEmit = emit.forSubgraph(bodyOut, bodyPrefix, symbolSources(body, bodyInputs));
    OnnxGraph onnxBody;
    try {
      onnxBody =
          new GraphToOnnx(body, bodyOut, bodyEmit, bodyPrefix, loops).runBody(bodyInputs, declared);
    } catch (OnnxExportException e) {
      throw new OnnxExportException(
          e.getMessage() + "; in the loop body of node " + n + modulePathSuffix(n), e);
    }
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < declared; i++) {
      inputs.add(in(n, i));
    }
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < n.outputs().size(); i++) {
      outputs.add(outName(n, i));
    }
    int perStep = n.outputs().size() - sc.carried();
    List<OnnxAttribute> attributes = new ArrayList<>();
    attributes.add(OnnxAttribute.graph("body", onnxBody));
    attributes.add(of("num_scan_inputs", (long) sc.sequences()));
    attributes.add(ints("scan_input_axes", repeat(sc.axis(), sc.sequences())));
    if (perStep > 0) {
      attributes.add(ints("scan_output_axes", repeat(sc.axis(), perStep)));
    }
    emit.node("Scan", inputs, outputs, attributes.toArray(new OnnxAttribute[0]));
  }

  private static int[] repeat(int value, int times) {
    int[] a = new int[times];
    java.util.Arrays.fill(a, value);
    return a;
  }

  private void activation(UnaryKind kind, String x, DType dtype, String output) {
    if (kind == null) {
      emit.node("Identity", List.of(x), output);
    } else {
      unary(kind, x, dtype, output);
    }
  }

  private void unary(UnaryKind kind, String x, DType dtype, String output) {
    switch (kind) {
      case NEG -> emit.node("Neg", List.of(x), output);
      case ABS -> emit.node("Abs", List.of(x), output);
      case EXP -> emit.node("Exp", List.of(x), output);
      case LOG -> emit.node("Log", List.of(x), output);
      case LOG1P -> {
        // Kahan: with u = fl(1 + x), log(u) * x / (u - 1) is accurate to a few ulps for every x;
        // where u == 1 (|x| below half an ulp of 1), log1p(x) = x to working precision.
        String u = emit.node("Add", List.of(x, emit.scalar(dtype, 1)));
        String um1 = emit.node("Sub", List.of(u, emit.scalar(dtype, 1)));
        String ratio =
            emit.node(
                "Div", List.of(emit.node("Mul", List.of(x, emit.node("Log", List.of(u)))), um1));
        String tiny = emit.node("Equal", List.of(um1, emit.scalar(dtype, 0)));
        emit.node("Where", List.of(tiny, x, ratio), output);
      }
      case SQRT -> emit.node("Sqrt", List.of(x), output);
      case RSQRT -> emit.node("Reciprocal", List.of(emit.node("Sqrt", List.of(x))), output);
      case SQUARE -> emit.node("Mul", List.of(x, x), output);
      case TANH -> emit.node("Tanh", List.of(x), output);
      case SIGMOID -> emit.node("Sigmoid", List.of(x), output);
      case RELU -> emit.node("Relu", List.of(x), output);
      case GELU -> emit.node("Mul", List.of(x, normalCdf(x, dtype, null)), output);
      case SOFTPLUS -> emit.node("Softplus", List.of(x), output);
      case SIGN -> emit.node("Sign", List.of(x), output);
      case SIN -> emit.node("Sin", List.of(x), output);
      case COS -> emit.node("Cos", List.of(x), output);
      case RECIPROCAL -> emit.node("Reciprocal", List.of(x), output);
      case NORMAL_CDF -> normalCdf(x, dtype, output);
      case LOGICAL_NOT -> emit.node("Not", List.of(x), output);
    }
  }

  /** {@code 0.5 * (1 + erf(x / sqrt(2)))}, into {@code output} or a fresh name when null. */
  private String normalCdf(String x, DType dtype, String output) {
    String scaled = emit.node("Mul", List.of(x, emit.scalar(dtype, 1 / Math.sqrt(2))));
    String onePlus =
        emit.node("Add", List.of(emit.node("Erf", List.of(scaled)), emit.scalar(dtype, 1)));
    List<String> half = List.of(onePlus, emit.scalar(dtype, 0.5));
    return output == null ? emit.node("Mul", half) : emit.node("Mul", half, output);
  }

  private void binary(BinaryKind kind, String a, String b, String output) {
    List<String> ab = List.of(a, b);
    switch (kind) {
      case ADD -> emit.node("Add", ab, output);
      case SUB -> emit.node("Sub", ab, output);
      case MUL -> emit.node("Mul", ab, output);
      case DIV -> emit.node("Div", ab, output);
      case POW -> emit.node("Pow", ab, output);
      case MAXIMUM -> emit.node("Max", ab, output);
      case MINIMUM -> emit.node("Min", ab, output);
      case EQUAL -> emit.node("Equal", ab, output);
      case NOT_EQUAL -> emit.node("Not", List.of(emit.node("Equal", ab)), output);
      case LESS -> emit.node("Less", ab, output);
      case LESS_EQUAL -> emit.node("LessOrEqual", ab, output);
      case GREATER -> emit.node("Greater", ab, output);
      case GREATER_EQUAL -> emit.node("GreaterOrEqual", ab, output);
      case LOGICAL_AND -> emit.node("And", ab, output);
      case LOGICAL_OR -> emit.node("Or", ab, output);
    }
  }

  private void matmul(Node n, boolean ta, boolean tb, String a, String b, String output) {
    int rankA = n.inputs().get(0).shape().rank();
    int rankB = n.inputs().get(1).shape().rank();
    // Plain products stay MatMul: ONNX Runtime fuses MatMul + Add (a bias) into one Gemm, and
    // Gemm + activation, so a Linear layer runs as it would from any other exporter.
    if (rankA == 2 && rankB == 2 && (ta || tb)) {
      emit.node(
          "Gemm", List.of(a, b), output, of("transA", ta ? 1L : 0L), of("transB", tb ? 1L : 0L));
      return;
    }
    String left = ta ? emit.node("Transpose", List.of(a), ints("perm", swapLast(rankA))) : a;
    String right = tb ? emit.node("Transpose", List.of(b), ints("perm", swapLast(rankB))) : b;
    emit.node("MatMul", List.of(left, right), output);
  }

  private static int[] swapLast(int rank) {
    int[] perm = new int[rank];
    for (int i = 0; i < rank; i++) {
      perm[i] = i;
    }
    perm[rank - 2] = rank - 1;
    perm[rank - 1] = rank - 2;
    return perm;
  }

  private void reshape(Node n, SymbolicShape shape) {
    // With exactly one unknown size, ONNX's -1 ("whatever is left") says it without run-time
    // shape arithmetic; a 0 in the target would mean "copy the input's size" unless allowzero.
    int unknown = 0;
    boolean zero = false;
    for (DimExpr d : shape.dims()) {
      unknown += d.isConstant() ? 0 : 1;
      zero |= d.isConstant() && d.constant() == 0;
    }
    String target;
    if (unknown == 1 && !zero) {
      long[] dims = new long[shape.rank()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = shape.dim(i).isConstant() ? shape.dim(i).constant() : -1;
      }
      target = emit.int64s("shape", dims);
    } else {
      target = emit.shapeTensor(shape);
    }
    emit.node("Reshape", List.of(in(n, 0), target), outName(n, 0), of("allowzero", zero ? 1L : 0L));
  }

  private void slice(Node n, GraphOp.Slice s) {
    SymbolicShape inShape = n.inputs().get(0).shape();
    List<DimExpr> starts = new ArrayList<>();
    List<DimExpr> ends = new ArrayList<>();
    List<Long> axes = new ArrayList<>();
    List<Long> steps = new ArrayList<>();
    List<Integer> negativeSymbolic = new ArrayList<>();
    for (int axis = 0; axis < inShape.rank(); axis++) {
      DimExpr begin = s.begin().get(axis);
      int step = s.step().get(axis);
      DimExpr size = s.size().dim(axis);
      if (step == 1 && begin.equals(DimExpr.constant(0)) && size.equals(inShape.dim(axis))) {
        continue; // the whole axis
      }
      // end = begin + size * step: one past the last element taken, in the step's direction.
      DimExpr end = affine(begin, size, step);
      if (step < 0 && end.isConstant() && end.constant() < 0) {
        // ONNX reads a negative end as counted from the back; "before index 0" is any end
        // below -dim, which ONNX clamps to -1 for negative steps.
        end = DimExpr.constant(Long.MIN_VALUE);
      } else if (step < 0 && !end.isConstant()) {
        negativeSymbolic.add(ends.size());
      }
      starts.add(begin);
      ends.add(end);
      axes.add((long) axis);
      steps.add((long) step);
    }
    if (axes.isEmpty()) {
      emit.node("Identity", List.of(in(n, 0)), outName(n, 0));
      return;
    }
    String endTensor = emit.shapeTensor(ends);
    if (!negativeSymbolic.isEmpty()) {
      // A run-time end below 0 must become "before index 0" too: where(end < 0, MIN, end).
      String negative = emit.node("Less", List.of(endTensor, emit.scalar(DType.INT64, 0)));
      endTensor =
          emit.node("Where", List.of(negative, emit.int64s("min", Long.MIN_VALUE), endTensor));
    }
    emit.node(
        "Slice",
        List.of(
            in(n, 0),
            emit.shapeTensor(starts),
            endTensor,
            emit.int64s("axes", unbox(axes)),
            emit.int64s("steps", unbox(steps))),
        outName(n, 0));
  }

  /** {@code begin + size * step} as a size expression, when that form can hold it. */
  private static DimExpr affine(DimExpr begin, DimExpr size, int step) {
    if (size.isConstant()) {
      return new DimExpr(
          begin.coefficient(),
          begin.symbols(),
          Math.addExact(begin.constant(), Math.multiplyExact(size.constant(), (long) step)));
    }
    if (begin.isConstant() || begin.symbols().equals(size.symbols())) {
      long coefficient =
          Math.addExact(begin.coefficient(), Math.multiplyExact(size.coefficient(), (long) step));
      long constant =
          Math.addExact(begin.constant(), Math.multiplyExact(size.constant(), (long) step));
      return coefficient == 0
          ? DimExpr.constant(constant)
          : new DimExpr(coefficient, size.symbols(), constant);
    }
    throw new IllegalArgumentException(
        "a slice beginning at " + begin + " and taking " + size + " elements mixes sizes");
  }

  private void split(Node n, GraphOp.Split s) {
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < n.outputs().size(); i++) {
      outputs.add(outName(n, i));
    }
    emit.node(
        "Split",
        List.of(in(n, 0), emit.shapeTensor(s.sizes())),
        outputs,
        of("axis", (long) s.axis()));
  }

  private void pad(Node n, GraphOp.Pad p) {
    int rank = p.before().size();
    long[] pads = new long[2 * rank];
    for (int i = 0; i < rank; i++) {
      pads[i] = p.before().get(i);
      pads[rank + i] = p.after().get(i);
    }
    emit.node(
        "Pad",
        List.of(
            in(n, 0), emit.int64s("pads", pads), emit.scalar(n.inputs().get(0).dtype(), p.value())),
        outName(n, 0),
        of("mode", "constant"));
  }

  private void reduce(Node n, GraphOp.Reduce r) {
    long keep = r.keepDims() ? 1 : 0;
    long[] axes = r.axes().stream().mapToLong(Integer::longValue).toArray();
    String x = in(n, 0);
    String output = outName(n, 0);
    if (axes.length == 0) {
      // Reducing no axis leaves the tensor as it is; ONNX would read empty axes as "all".
      emit.node("Identity", List.of(x), output);
      return;
    }
    switch (r.kind()) {
      // Opset 13 moved ReduceSum's axes to an input; the others follow only in opset 18.
      case SUM ->
          emit.node(
              "ReduceSum", List.of(x, emit.int64s("axes", axes)), output, of("keepdims", keep));
      case PROD ->
          emit.node("ReduceProd", List.of(x), output, ints("axes", axes), of("keepdims", keep));
      case MAX ->
          emit.node("ReduceMax", List.of(x), output, ints("axes", axes), of("keepdims", keep));
      case MIN ->
          emit.node("ReduceMin", List.of(x), output, ints("axes", axes), of("keepdims", keep));
      case ARGMAX, ARGMIN ->
          emit.node(
              r.kind() == ReduceKind.ARGMAX ? "ArgMax" : "ArgMin",
              List.of(x),
              output,
              of("axis", axes[0]),
              of("keepdims", keep),
              // The first index on ties, as the library (and NumPy) does.
              of("select_last_index", 0L));
    }
  }

  /** Channels-last to channels-first: {@code [0, n+1, 1, ..., n]} for n spatial axes. */
  private static int[] toChannelsFirst(int spatial) {
    int[] perm = new int[spatial + 2];
    perm[1] = spatial + 1;
    for (int i = 0; i < spatial; i++) {
      perm[i + 2] = i + 1;
    }
    return perm;
  }

  /** Channels-first back to channels-last: {@code [0, 2, ..., n+1, 1]}. */
  private static int[] toChannelsLast(int spatial) {
    int[] perm = new int[spatial + 2];
    for (int i = 0; i < spatial; i++) {
      perm[i + 1] = i + 2;
    }
    perm[spatial + 1] = 1;
    return perm;
  }

  private static int[] pads(ConvParams p) {
    int n = p.rank();
    int[] pads = new int[2 * n];
    for (int i = 0; i < n; i++) {
      pads[i] = p.padBefore()[i];
      pads[n + i] = p.padAfter()[i];
    }
    return pads;
  }

  /**
   * The node adding a constant per-channel bias to conv {@code n}'s output, when that add is the
   * output's only reader; else null.
   */
  private Node foldableBiasAdd(Node n) {
    Value y = n.outputs().get(0);
    List<Node> r = readers.getOrDefault(y.id(), List.of());
    if (r.size() != 1 || r.get(0) == null) {
      return null;
    }
    Node add = r.get(0);
    if (!(add.op() instanceof GraphOp.Binary b) || b.kind() != BinaryKind.ADD) {
      return null;
    }
    Value other = add.inputs().get(add.inputs().get(0).equals(y) ? 1 : 0);
    if (add.inputs().get(0).equals(add.inputs().get(1))) {
      return null;
    }
    boolean constant =
        graph.variables().stream().anyMatch(v -> v.value().equals(other))
            || graph.constants().stream().anyMatch(c -> c.value().equals(other));
    DimExpr channels = y.shape().dim(y.shape().rank() - 1);
    boolean perChannel =
        other.shape().rank() == 1 && other.shape().dim(0).equals(channels) && channels.isConstant();
    boolean sameResult =
        add.outputs().get(0).shape().equals(y.shape()) && other.dtype() == y.dtype();
    return constant && perChannel && sameResult ? add : null;
  }

  private void conv(
      Node n, ConvParams p, String filter, String bias, UnaryKind activation, String output) {
    int spatial = p.rank();
    String x = emit.node("Transpose", List.of(in(n, 0)), ints("perm", toChannelsFirst(spatial)));
    // [k..., C/g, O] -> [O, C/g, k...]
    int[] filterPerm = new int[spatial + 2];
    filterPerm[0] = spatial + 1;
    filterPerm[1] = spatial;
    for (int i = 0; i < spatial; i++) {
      filterPerm[i + 2] = i;
    }
    String w = emit.node("Transpose", List.of(filter), ints("perm", filterPerm));
    List<String> inputs = bias == null ? List.of(x, w) : List.of(x, w, bias);
    String y =
        emit.node(
            "Conv",
            inputs,
            ints("strides", p.stride()),
            ints("dilations", p.dilation()),
            ints("pads", pads(p)),
            of("group", (long) p.groups()));
    DType dtype = n.outputs().get(0).dtype();
    String activated = y;
    if (activation != null) {
      activated = emit.fresh("activation");
      unary(activation, y, dtype, activated);
    }
    emit.node("Transpose", List.of(activated), output, ints("perm", toChannelsLast(spatial)));
  }

  private void pool(Node n, GraphOp.Pool p) {
    ConvParams params = p.params();
    int spatial = params.rank();
    for (int d : params.dilation()) {
      if (d != 1) {
        throw unsupported(
            n, "pooling with dilation " + java.util.Arrays.toString(params.dilation()));
      }
    }
    int[] window = p.window().stream().mapToInt(Integer::intValue).toArray();
    String x = emit.node("Transpose", List.of(in(n, 0)), ints("perm", toChannelsFirst(spatial)));
    String y =
        p.kind() == PoolKind.MAX
            ? emit.node(
                "MaxPool",
                List.of(x),
                ints("kernel_shape", window),
                ints("strides", params.stride()),
                ints("pads", pads(params)))
            : emit.node(
                "AveragePool",
                List.of(x),
                ints("kernel_shape", window),
                ints("strides", params.stride()),
                ints("pads", pads(params)),
                of("count_include_pad", 0L));
    emit.node("Transpose", List.of(y), outName(n, 0), ints("perm", toChannelsLast(spatial)));
  }

  /** A 2-d channels-last max pooling over 2x2 windows with stride 2 and no padding. */
  private void maxPool2x2(String input, String output) {
    String x = emit.node("Transpose", List.of(input), ints("perm", toChannelsFirst(2)));
    String y =
        emit.node(
            "MaxPool",
            List.of(x),
            ints("kernel_shape", new int[] {2, 2}),
            ints("strides", new int[] {2, 2}),
            ints("pads", new int[] {0, 0, 0, 0}));
    emit.node("Transpose", List.of(y), output, ints("perm", toChannelsLast(2)));
  }

  private static long[] unbox(List<Long> values) {
    long[] a = new long[values.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = values.get(i);
    }
    return a;
  }
}
