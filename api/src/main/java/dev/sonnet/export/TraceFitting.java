package dev.sonnet.export;

import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Joins the runs of one function at different sizes ({@link Tracing}) into one graph: checks that
 * they have the same structure and fits every size that differs between them into a {@link
 * DimExpr}.
 *
 * <p>Run 0 has every symbol at its base size, run {@code 1 + j} changes symbol {@code j} alone, and
 * the last run changes all of them. A size that is equal in run 0 and every single-symbol run is a
 * constant. Otherwise the symbols whose change moved it are its symbols; the coefficient and the
 * constant follow from run 0 and each of those runs (and must agree), and the last run, where all
 * symbols moved at once, checks the whole expression: a sum {@code batch + time} or a square fits
 * the single-symbol runs as a product would, but not the last run.
 */
final class TraceFitting {
  private final List<String> symbols;
  private final long[][] sizes;
  private final List<TraceRecorder> runs;
  private final TensorSpec[] specs;
  private final List<String> inputNames;

  /** Fits the runs of a function whose inputs have {@code specs}. */
  TraceFitting(List<String> symbols, long[][] sizes, List<TraceRecorder> runs, TensorSpec[] specs) {
    this(symbols, sizes, runs, specs, null);
  }

  /**
   * Fits the runs of a loop body, whose inputs ({@code inputNames}) get specs from their fitted
   * shapes.
   */
  private TraceFitting(
      List<String> symbols,
      long[][] sizes,
      List<TraceRecorder> runs,
      TensorSpec[] specs,
      List<String> inputNames) {
    this.symbols = symbols;
    this.sizes = sizes;
    this.runs = runs;
    this.specs = specs;
    this.inputNames = inputNames;
  }

  Graph graph() {
    TraceRecorder base = runs.get(0);
    for (int r = 1; r < runs.size(); r++) {
      compareStructure(base, runs.get(r), r);
    }
    int n = base.values.size();
    Value[] values = new Value[n];
    for (int id = 0; id < n; id++) {
      TraceRecorder.TValue v = base.values.get(id);
      List<DimExpr> dims = new ArrayList<>(v.shape().rank());
      for (int axis = 0; axis < v.shape().rank(); axis++) {
        long[] d = new long[runs.size()];
        for (int r = 0; r < d.length; r++) {
          d[r] = runs.get(r).values.get(id).shape().dim(axis);
        }
        dims.add(fit(d, "axis " + axis + " of value %" + id + " (" + producer(base, id) + ")"));
      }
      values[id] = new Value(id, v.dtype(), new SymbolicShape(dims));
    }
    List<GraphInput> inputs = new ArrayList<>();
    for (int i = 0; i < base.inputValues.size(); i++) {
      Value v = values[base.inputValues.get(i)];
      TensorSpec spec = specs != null ? specs[i] : bodyInputSpec(inputNames.get(i), v);
      inputs.add(new GraphInput(spec.name(), spec, v));
    }
    List<GraphVariable> variables = new ArrayList<>();
    for (int i = 0; i < base.variables.size(); i++) {
      Variable v = base.variables.get(i);
      variables.add(new GraphVariable(v.name(), v.trainable(), values[base.variableValues.get(i)]));
    }
    List<GraphConstant> constants = new ArrayList<>();
    for (int i = 0; i < base.constantValues.size(); i++) {
      constants.add(
          new GraphConstant(values[base.constantValues.get(i)], base.constantData.get(i)));
    }
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < base.nodes.size(); i++) {
      TraceRecorder.TNode t = base.nodes.get(i);
      GraphOp op;
      if (t.scan() != null) {
        op = fitScan(i, t);
      } else {
        List<GraphOp> perRun = new ArrayList<>(runs.size());
        for (TraceRecorder r : runs) {
          perRun.add(r.nodes.get(i).op());
        }
        op = fitOp(perRun, t);
      }
      nodes.add(new Node(op, pick(values, t.inputs()), pick(values, t.outputs()), t.modulePath()));
    }
    try {
      return new Graph(inputs, variables, constants, nodes, pick(values, base.outputs));
    } catch (IllegalArgumentException e) {
      if (specs != null) {
        throw e;
      }
      throw new TraceException(
          "tracing: a loop body cannot be a graph of its own: " + e.getMessage(), e);
    }
  }

  /** The scan of node {@code i}: its body fitted across the runs like the enclosing graph. */
  private GraphOp fitScan(int i, TraceRecorder.TNode t) {
    TraceRecorder.ScanTrace scan = t.scan();
    List<TraceRecorder> bodies = new ArrayList<>(runs.size());
    for (TraceRecorder r : runs) {
      TraceRecorder.ScanTrace other = r.nodes.get(i).scan();
      if (other.carried() != scan.carried()
          || other.sequences() != scan.sequences()
          || other.axis() != scan.axis()
          || !other.body().captures.equals(scan.body().captures)
          || !other.body().inputValues.equals(scan.body().inputValues)) {
        throw structureError("the loop of op " + i + " changes its inputs", t);
      }
      bodies.add(other.body());
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < scan.carried(); c++) {
      names.add("carried" + c);
    }
    for (int q = 0; q < scan.sequences(); q++) {
      names.add("step" + q);
    }
    for (int c = 0; c < scan.body().captures.size(); c++) {
      names.add("capture" + c);
    }
    Graph body = new TraceFitting(symbols, sizes, bodies, null, names).graph();
    return new GraphOp.Scan(body, scan.carried(), scan.sequences(), scan.axis());
  }

  /** The spec of a loop body's input: each size a constant or an unknown dimension itself. */
  private static TensorSpec bodyInputSpec(String name, Value v) {
    List<Integer> dims = new ArrayList<>();
    List<String> syms = new ArrayList<>();
    for (DimExpr d : v.shape().dims()) {
      if (d.isConstant()) {
        dims.add((int) d.constant());
        syms.add(null);
      } else if (d.isSymbol()) {
        dims.add(-1);
        syms.add(d.symbols().get(0));
      } else {
        throw new TraceException(
            "scan",
            null,
            "tracing: a loop body's input "
                + name
                + " has shape "
                + v.shape()
                + "; the values a loop carries, steps over or captures may have sizes that are"
                + " constants or an unknown dimension itself, not an expression of one");
      }
    }
    return new TensorSpec(name, v.dtype(), dims, syms);
  }

  private static List<Value> pick(Value[] values, int[] ids) {
    List<Value> out = new ArrayList<>(ids.length);
    for (int id : ids) {
      out.add(values[id]);
    }
    return out;
  }

  private static String producer(TraceRecorder base, int id) {
    for (TraceRecorder.TNode n : base.nodes) {
      for (int o : n.outputs()) {
        if (o == id) {
          return "made by op '" + n.opName() + "'" + TraceException.where(n.modulePath());
        }
      }
    }
    return "a " + base.values.get(id).source().name().toLowerCase(java.util.Locale.ROOT);
  }

  // ---- structure --------------------------------------------------------------------------

  private void compareStructure(TraceRecorder a, TraceRecorder b, int run) {
    String sizesA = describeSizes(0);
    String sizesB = describeSizes(run);
    int common = Math.min(a.nodes.size(), b.nodes.size());
    for (int i = 0; i < common; i++) {
      TraceRecorder.TNode x = a.nodes.get(i);
      TraceRecorder.TNode y = b.nodes.get(i);
      if (opKind(x) != opKind(y)
          || !Arrays.equals(x.inputs(), y.inputs())
          || !Arrays.equals(x.outputs(), y.outputs())) {
        throw structureError(
            "op "
                + i
                + " is '"
                + x.opName()
                + "'"
                + TraceException.where(x.modulePath())
                + " at "
                + sizesA
                + " but '"
                + y.opName()
                + "'"
                + TraceException.where(y.modulePath())
                + " at "
                + sizesB,
            y);
      }
    }
    if (a.nodes.size() != b.nodes.size()) {
      throw structureError(
          "the function runs "
              + a.nodes.size()
              + " ops at "
              + sizesA
              + " but "
              + b.nodes.size()
              + " at "
              + sizesB,
          null);
    }
    if (a.values.size() != b.values.size()) {
      throw structureError(
          "the number of tensors differs between " + sizesA + " and " + sizesB, null);
    }
    for (int id = 0; id < a.values.size(); id++) {
      TraceRecorder.TValue x = a.values.get(id);
      TraceRecorder.TValue y = b.values.get(id);
      if (x.source() != y.source()
          || x.dtype() != y.dtype()
          || x.shape().rank() != y.shape().rank()) {
        throw structureError(
            "value %" + id + " is " + x + " at " + sizesA + " but " + y + " at " + sizesB, null);
      }
    }
    if (a.variables.size() != b.variables.size()) {
      throw structureError(
          "the function reads different variables at " + sizesA + " and " + sizesB, null);
    }
    for (int i = 0; i < a.variables.size(); i++) {
      if (a.variables.get(i) != b.variables.get(i)) {
        throw structureError(
            "the function reads variable '"
                + a.variables.get(i).name()
                + "' at "
                + sizesA
                + " where it reads '"
                + b.variables.get(i).name()
                + "' at "
                + sizesB,
            null);
      }
    }
    if (!a.constantValues.equals(b.constantValues)) {
      throw structureError(
          "the function's constants differ between " + sizesA + " and " + sizesB, null);
    }
    for (int i = 0; i < a.constantData.size(); i++) {
      if (!a.constantData.get(i).equals(b.constantData.get(i))) {
        throw new TraceException(
            "constant",
            "",
            "tracing: a constant tensor "
                + a.constantData.get(i).dtype()
                + a.constantData.get(i).shape()
                + " (value %"
                + a.constantValues.get(i)
                + ") differs between "
                + sizesA
                + " and "
                + b.constantData.get(i).shape()
                + " at "
                + sizesB
                + ": a tensor the function makes from Java values depends on an unknown dimension;"
                + " only tensors of one repeated value (zeros, ones, full) may");
      }
    }
    if (!Arrays.equals(a.outputs, b.outputs)) {
      throw structureError("the outputs differ between " + sizesA + " and " + sizesB, null);
    }
  }

  /** What a node computes, for comparing structures: its op's class, or scan. */
  private static Object opKind(TraceRecorder.TNode n) {
    return n.scan() != null ? TraceRecorder.ScanTrace.class : n.op().getClass();
  }

  private TraceException structureError(String detail, TraceRecorder.TNode node) {
    return new TraceException(
        node == null ? null : node.opName(),
        node == null ? null : node.modulePath(),
        "tracing: the function's structure depends on the unknown dimensions "
            + symbols
            + ": "
            + detail
            + ". A Java loop or branch over a size is unrolled when traced; give that dimension a"
            + " fixed size in its TensorSpec");
  }

  private String describeSizes(int run) {
    StringBuilder sb = new StringBuilder();
    for (int j = 0; j < symbols.size(); j++) {
      sb.append(j == 0 ? "" : ", ").append(symbols.get(j)).append('=').append(sizes[run][j]);
    }
    return sb.toString();
  }

  // ---- sizes ------------------------------------------------------------------------------

  /** Fits the sizes {@code d[run]} to an expression; {@code what} names them in errors. */
  DimExpr fit(long[] d, String what) {
    int k = symbols.size();
    long base = d[0];
    List<Integer> moved = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      if (d[1 + j] != base) {
        moved.add(j);
      }
    }
    if (moved.isEmpty()) {
      if (d[d.length - 1] != base) {
        throw sizeError(d, what);
      }
      return DimExpr.constant(base);
    }
    long m0 = monomial(moved, 0);
    long coefficient = 0;
    for (int j : moved) {
      long dm = monomial(moved, 1 + j) - m0;
      long dd = d[1 + j] - base;
      if (dm == 0 || dd % dm != 0 || (coefficient != 0 && dd / dm != coefficient)) {
        throw sizeError(d, what);
      }
      coefficient = dd / dm;
    }
    long constant = base - coefficient * m0;
    for (int r = 0; r < d.length; r++) {
      if (coefficient * monomial(moved, r) + constant != d[r]) {
        throw sizeError(d, what);
      }
    }
    List<String> names = new ArrayList<>();
    for (int j : moved) {
      names.add(symbols.get(j));
    }
    return new DimExpr(coefficient, names, constant);
  }

  private long monomial(List<Integer> moved, int run) {
    long p = 1;
    for (int j : moved) {
      p *= sizes[run][j];
    }
    return p;
  }

  private TraceException sizeError(long[] d, String what) {
    StringBuilder at = new StringBuilder();
    for (int r = 0; r < d.length; r++) {
      at.append(r == 0 ? "" : "; ").append(d[r]).append(" at ").append(describeSizes(r));
    }
    return new TraceException(
        null,
        null,
        "tracing: "
            + what
            + " changes with the unknown dimensions in a way a graph cannot express ("
            + at
            + "); a size must be a constant or coefficient * product of symbols + constant."
            + " Give that dimension a fixed size in its TensorSpec");
  }

  private List<DimExpr> fitList(List<List<DimExpr>> perRun, String what) {
    int n = perRun.get(0).size();
    for (List<DimExpr> l : perRun) {
      if (l.size() != n) {
        throw sizeError(new long[] {n, l.size()}, what + " (its length)");
      }
    }
    List<DimExpr> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long[] d = new long[perRun.size()];
      for (int r = 0; r < d.length; r++) {
        d[r] = perRun.get(r).get(i).constant();
      }
      out.add(fit(d, what + "[" + i + "]"));
    }
    return out;
  }

  private SymbolicShape fitShape(List<SymbolicShape> perRun, String what) {
    List<List<DimExpr>> dims = new ArrayList<>();
    for (SymbolicShape s : perRun) {
      dims.add(s.dims());
    }
    return new SymbolicShape(fitList(dims, what));
  }

  /** The op of every run as one op with fitted sizes; every other attribute must be equal. */
  private GraphOp fitOp(List<GraphOp> perRun, TraceRecorder.TNode node) {
    GraphOp first = perRun.get(0);
    String what =
        "the size attribute of op '"
            + node.opName()
            + "'"
            + TraceException.where(node.modulePath());
    return switch (first) {
      case GraphOp.Reshape r ->
          new GraphOp.Reshape(fitShape(map(perRun, o -> ((GraphOp.Reshape) o).shape()), what));
      case GraphOp.BroadcastTo b ->
          new GraphOp.BroadcastTo(
              fitShape(map(perRun, o -> ((GraphOp.BroadcastTo) o).shape()), what));
      case GraphOp.Fill f -> {
        requireEqual(
            map(perRun, o -> List.of(((GraphOp.Fill) o).dtype(), ((GraphOp.Fill) o).value())),
            node);
        yield new GraphOp.Fill(
            f.dtype(), f.value(), fitShape(map(perRun, o -> ((GraphOp.Fill) o).shape()), what));
      }
      case GraphOp.Slice s -> {
        requireEqual(map(perRun, o -> ((GraphOp.Slice) o).step()), node);
        yield new GraphOp.Slice(
            fitList(map(perRun, o -> ((GraphOp.Slice) o).begin()), what + " (begin)"),
            s.step(),
            fitShape(map(perRun, o -> ((GraphOp.Slice) o).size()), what + " (size)"));
      }
      case GraphOp.Split s -> {
        requireEqual(map(perRun, o -> ((GraphOp.Split) o).axis()), node);
        yield new GraphOp.Split(
            s.axis(), fitList(map(perRun, o -> ((GraphOp.Split) o).sizes()), what + " (sizes)"));
      }
      default -> {
        requireEqual(perRun, node);
        yield first;
      }
    };
  }

  private void requireEqual(List<?> perRun, TraceRecorder.TNode node) {
    for (int r = 1; r < perRun.size(); r++) {
      if (!perRun.get(r).equals(perRun.get(0))) {
        throw new TraceException(
            node.opName(),
            node.modulePath(),
            "tracing: op '"
                + node.opName()
                + "'"
                + TraceException.where(node.modulePath())
                + " has attributes "
                + perRun.get(0)
                + " at "
                + describeSizes(0)
                + " but "
                + perRun.get(r)
                + " at "
                + describeSizes(r)
                + "; only sizes may depend on an unknown dimension. Give that dimension a fixed"
                + " size in its TensorSpec");
      }
    }
  }

  private static <T> List<T> map(List<GraphOp> ops, java.util.function.Function<GraphOp, T> f) {
    List<T> out = new ArrayList<>(ops.size());
    for (GraphOp o : ops) {
      out.add(f.apply(o));
    }
    return out;
  }
}
