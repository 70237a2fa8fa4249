package dev.sonnet.export;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.SafeTensorsFile;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.tensor.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The graph document of a saved model (format version {@value #VERSION}): how a {@link Graph} is
 * written as JSON, and read back from a file trusting nothing.
 *
 * <pre>
 * {"format": "sonnet.saved_model", "version": 1,
 *  "variables": [{"name": "mlp/linear_0/w", "dtype": "float32", "shape": [784, 64],
 *                 "trainable": true}, ...],
 *  "functions": [{"name": "inference",
 *    "inputs": [{"name": "input0", "dtype": "float32", "dims": [-1, 784],
 *                "symbols": ["batch", null], "value": 0}],
 *    "values": [{"id": 0, "dtype": "float32", "shape": [{"coefficient": 1, "symbols": ["batch"],
 *                "constant": 0}, 784]}, ...],
 *    "variables": [{"name": "mlp/linear_0/w", "value": 1}, ...],
 *    "constants": [{"tensor": "constants/inference/0", "value": 3}],
 *    "nodes": [{"op": "matmul", "attrs": {"transpose_a": false, "transpose_b": false},
 *               "inputs": [0, 1], "outputs": [5], "module": "mlp/linear_0"}, ...],
 *    "outputs": [9]}]}
 * </pre>
 *
 * <p>A size ({@link DimExpr}) is an integer when constant, else an object as above. Enum values
 * (dtypes, kinds) are lower-case names; a floating attribute is a number or one of {@code "nan"},
 * {@code "inf"}, {@code "-inf"}. Node attributes per op: {@code unary}/{@code binary}: {@code
 * kind}; {@code cast}: {@code dtype}; {@code matmul}: {@code transpose_a}, {@code transpose_b};
 * {@code reshape}/{@code broadcast_to}: {@code shape}; {@code permute}: {@code perm}; {@code
 * slice}: {@code begin}, {@code step}, {@code size}; {@code split}: {@code axis}, {@code sizes};
 * {@code concat}/{@code gather}: {@code axis}; {@code pad}: {@code before}, {@code after}, {@code
 * value}; {@code where}: none; {@code reduce}: {@code kind}, {@code axes}, {@code keep_dims};
 * {@code conv}: {@code stride}, {@code dilation}, {@code pad_before}, {@code pad_after}, {@code
 * groups}; {@code pool}: {@code kind}, {@code window} and the conv attributes; {@code fill}: {@code
 * dtype}, {@code value}, {@code shape}; {@code scan}: {@code carried}, {@code sequences}, {@code
 * axis} and {@code body}, a function object like the top-level ones (its name, {@code
 * inference/scan3} for node 3 of {@code inference}, names its constants' tensors; its variable list
 * is empty: the values it reads from outside are its last inputs). Each means what the {@link
 * GraphOp} record of that name means.
 *
 * <p><b>Reading.</b> The document is parsed with bounds ({@link #MAX_BYTES}, {@link #MAX_VALUES},
 * 64 levels), then walked with typed reads: an unknown key, a wrong type, an out-of-range number
 * (ranks up to {@link #MAX_RANK}, sizes within {@code int}), an unknown op, the wrong number of
 * inputs or outputs, a value read before it is made, a constant that does not match its tensor:
 * each is a {@link dev.sonnet.checkpoint.CheckpointFormatException} naming the file and the place.
 * No class is ever named by the document, so no code is loaded from it.
 */
final class SavedModelFormat {
  /** The metadata key of the graph document in the safetensors header. */
  static final String METADATA_KEY = "sonnet.saved_model";

  /** The value of {@code "format"}. */
  static final String FORMAT = "sonnet.saved_model";

  /** The format version this code writes and reads. */
  static final int VERSION = 1;

  /** A graph document beyond 64 MiB is refused (ResNet-50's is about 0.3 MiB). */
  static final int MAX_BYTES = 64 << 20;

  /** At most this many JSON values in the document. */
  static final int MAX_VALUES = 4_000_000;

  /** Ranks above this are refused. */
  static final int MAX_RANK = 16;

  /** Ids and list lengths stay below this. */
  static final int MAX_ITEMS = 1 << 22;

  private static final long MAX_COEFFICIENT = Integer.MAX_VALUE;

  private SavedModelFormat() {}

  // ---- writing ----------------------------------------------------------------------------

  /** The prefix of a variable's tensor name. */
  static String variableTensor(String name) {
    return "variables/" + name;
  }

  /** The tensor name of constant {@code index} of {@code function}. */
  static String constantTensor(String function, int index) {
    return "constants/" + function + "/" + index;
  }

  static Map<String, Object> document(List<GraphVariable> variables, Map<String, Graph> functions) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("version", (long) VERSION);
    List<Object> vars = new ArrayList<>();
    for (GraphVariable v : variables) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", v.name());
      m.put("dtype", name(v.value().dtype()));
      m.put("shape", dims(v.value().shape().dims()));
      m.put("trainable", v.trainable());
      vars.add(m);
    }
    doc.put("variables", vars);
    List<Object> fns = new ArrayList<>();
    for (Map.Entry<String, Graph> e : functions.entrySet()) {
      fns.add(function(e.getKey(), e.getValue()));
    }
    doc.put("functions", fns);
    return doc;
  }

  private static Map<String, Object> function(String name, Graph g) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("name", name);
    List<Object> inputs = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (GraphInput in : g.inputs()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", in.name());
      m.put("dtype", name(in.spec().dtype()));
      List<Object> d = new ArrayList<>();
      for (int x : in.spec().dims()) {
        d.add((long) x);
      }
      m.put("dims", d);
      m.put("symbols", new ArrayList<Object>(in.spec().symbols()));
      m.put("value", (long) in.value().id());
      inputs.add(m);
      values.add(value(in.value()));
    }
    f.put("inputs", inputs);
    List<Object> vars = new ArrayList<>();
    for (GraphVariable v : g.variables()) {
      vars.add(Map.of("name", v.name(), "value", (long) v.value().id()));
      values.add(value(v.value()));
    }
    List<Object> consts = new ArrayList<>();
    for (int i = 0; i < g.constants().size(); i++) {
      Value v = g.constants().get(i).value();
      consts.add(Map.of("tensor", constantTensor(name, i), "value", (long) v.id()));
      values.add(value(v));
    }
    List<Object> nodes = new ArrayList<>();
    for (int i = 0; i < g.nodes().size(); i++) {
      Node n = g.nodes().get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("op", n.op().name());
      m.put("attrs", attributes(n.op(), bodyName(name, i)));
      m.put("inputs", ids(n.inputs()));
      m.put("outputs", ids(n.outputs()));
      m.put("module", n.modulePath());
      nodes.add(m);
      for (Value out : n.outputs()) {
        values.add(value(out));
      }
    }
    f.put("values", values);
    f.put("variables", vars);
    f.put("constants", consts);
    f.put("nodes", nodes);
    f.put("outputs", ids(g.outputs()));
    return f;
  }

  /**
   * The name of the loop body of node {@code node} of function {@code function}: its constants are
   * stored under it ({@code constants/inference/scan3/0}).
   */
  static String bodyName(String function, int node) {
    return function + "/scan" + node;
  }

  /**
   * Every constant of {@code g} (the function {@code function}) and of the loop bodies inside it,
   * with the name of the tensor that stores it.
   */
  static void forEachConstant(
      String function, Graph g, java.util.function.BiConsumer<String, HostArray> action) {
    for (int i = 0; i < g.constants().size(); i++) {
      action.accept(constantTensor(function, i), g.constants().get(i).data());
    }
    for (int i = 0; i < g.nodes().size(); i++) {
      if (g.nodes().get(i).op() instanceof GraphOp.Scan scan) {
        forEachConstant(bodyName(function, i), scan.body(), action);
      }
    }
  }

  private static List<Object> ids(List<Value> values) {
    List<Object> out = new ArrayList<>();
    for (Value v : values) {
      out.add((long) v.id());
    }
    return out;
  }

  private static Map<String, Object> value(Value v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", (long) v.id());
    m.put("dtype", name(v.dtype()));
    m.put("shape", dims(v.shape().dims()));
    return m;
  }

  private static List<Object> dims(List<DimExpr> dims) {
    List<Object> out = new ArrayList<>();
    for (DimExpr d : dims) {
      out.add(dim(d));
    }
    return out;
  }

  private static Object dim(DimExpr d) {
    if (d.isConstant()) {
      return d.constant();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("coefficient", d.coefficient());
    m.put("symbols", new ArrayList<Object>(d.symbols()));
    m.put("constant", d.constant());
    return m;
  }

  private static List<Object> ints(List<Integer> l) {
    List<Object> out = new ArrayList<>();
    for (int x : l) {
      out.add((long) x);
    }
    return out;
  }

  private static List<Object> ints(int[] l) {
    List<Object> out = new ArrayList<>();
    for (int x : l) {
      out.add((long) x);
    }
    return out;
  }

  private static Object number(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return v;
  }

  static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static void conv(Map<String, Object> m, ConvParams p) {
    m.put("stride", ints(p.stride()));
    m.put("dilation", ints(p.dilation()));
    m.put("pad_before", ints(p.padBefore()));
    m.put("pad_after", ints(p.padAfter()));
    m.put("groups", (long) p.groups());
  }

  private static Map<String, Object> attributes(GraphOp op, String bodyName) {
    Map<String, Object> m = new LinkedHashMap<>();
    switch (op) {
      case GraphOp.Scan sc -> {
        m.put("carried", (long) sc.carried());
        m.put("sequences", (long) sc.sequences());
        m.put("axis", (long) sc.axis());
        m.put("body", function(bodyName, sc.body()));
      }
      case GraphOp.Unary u -> m.put("kind", name(u.kind()));
      case GraphOp.Binary b -> m.put("kind", name(b.kind()));
      case GraphOp.Cast c -> m.put("dtype", name(c.dtype()));
      case GraphOp.MatMul mm -> {
        m.put("transpose_a", mm.transposeA());
        m.put("transpose_b", mm.transposeB());
      }
      case GraphOp.Reshape r -> m.put("shape", dims(r.shape().dims()));
      case GraphOp.BroadcastTo b -> m.put("shape", dims(b.shape().dims()));
      case GraphOp.Permute p -> m.put("perm", ints(p.perm()));
      case GraphOp.Slice s -> {
        m.put("begin", dims(s.begin()));
        m.put("step", ints(s.step()));
        m.put("size", dims(s.size().dims()));
      }
      case GraphOp.Split s -> {
        m.put("axis", (long) s.axis());
        m.put("sizes", dims(s.sizes()));
      }
      case GraphOp.Concat c -> m.put("axis", (long) c.axis());
      case GraphOp.Pad p -> {
        m.put("before", ints(p.before()));
        m.put("after", ints(p.after()));
        m.put("value", number(p.value()));
      }
      case GraphOp.Gather g -> m.put("axis", (long) g.axis());
      case GraphOp.Where w -> {}
      case GraphOp.Reduce r -> {
        m.put("kind", name(r.kind()));
        m.put("axes", ints(r.axes()));
        m.put("keep_dims", r.keepDims());
      }
      case GraphOp.Conv c -> conv(m, c.params());
      case GraphOp.Pool p -> {
        m.put("kind", name(p.kind()));
        m.put("window", ints(p.window()));
        conv(m, p.params());
      }
      case GraphOp.Fill f -> {
        m.put("dtype", name(f.dtype()));
        m.put("value", number(f.value()));
        m.put("shape", dims(f.shape().dims()));
      }
      case GraphOp.FusedMatMul f ->
          throw new IllegalArgumentException("fused ops are never saved: " + f.name());
      case GraphOp.FusedConv f ->
          throw new IllegalArgumentException("fused ops are never saved: " + f.name());
      case GraphOp.WinogradFilter f ->
          throw new IllegalArgumentException("fused ops are never saved: " + f.name());
      case GraphOp.WinogradConv f ->
          throw new IllegalArgumentException("fused ops are never saved: " + f.name());
      case GraphOp.ConvMaxPool f ->
          throw new IllegalArgumentException("fused ops are never saved: " + f.name());
    }
    return m;
  }

  // ---- reading ----------------------------------------------------------------------------

  /** A variable as the document declares it. */
  record VariableEntry(String name, DType dtype, List<Integer> shape, boolean trainable) {}

  /** What a document holds: the variables and each function's graph, constants read. */
  record Document(List<VariableEntry> variables, Map<String, Graph> functions) {}

  private static final Set<String> DOC_KEYS = Set.of("format", "version", "variables", "functions");
  private static final Set<String> VAR_KEYS = Set.of("name", "dtype", "shape", "trainable");
  private static final Set<String> FN_KEYS =
      Set.of("name", "inputs", "values", "variables", "constants", "nodes", "outputs");
  private static final Set<String> INPUT_KEYS = Set.of("name", "dtype", "dims", "symbols", "value");
  private static final Set<String> VALUE_KEYS = Set.of("id", "dtype", "shape");
  private static final Set<String> REF_KEYS = Set.of("name", "value");
  private static final Set<String> CONST_KEYS = Set.of("tensor", "value");
  private static final Set<String> NODE_KEYS = Set.of("op", "attrs", "inputs", "outputs", "module");
  private static final Set<String> DIM_KEYS = Set.of("coefficient", "symbols", "constant");

  /** Reads the document {@code root} of {@code file}, reading constants from {@code tensors}. */
  static Document read(JsonFields j, Object root, SafeTensorsFile tensors) {
    Map<String, Object> doc = j.object(root, "document", DOC_KEYS);
    Object format = j.required(doc, "format", "document");
    if (!FORMAT.equals(format)) {
      throw j.error(
          "document.format", "expected \"" + FORMAT + "\", got " + JsonFields.describe(format));
    }
    long version =
        j.integer(j.required(doc, "version", "document"), "document.version", 0, Long.MAX_VALUE);
    if (version != VERSION) {
      throw j.error(
          "document.version",
          "format version "
              + version
              + "; this library reads version "
              + VERSION
              + (version > VERSION ? " (the file was written by a newer library)" : ""));
    }
    List<VariableEntry> variables = new ArrayList<>();
    Map<String, VariableEntry> byName = new HashMap<>();
    List<Object> vars =
        j.list(j.required(doc, "variables", "document"), "document.variables", MAX_ITEMS);
    for (int i = 0; i < vars.size(); i++) {
      String w = "variables[" + i + "]";
      Map<String, Object> m = j.object(vars.get(i), w, VAR_KEYS);
      String name = j.string(j.required(m, "name", w), w + ".name", 4096);
      DType dtype = j.enumValue(j.required(m, "dtype", w), w + ".dtype", DType.values());
      List<Integer> shape = constantDims(j, j.required(m, "shape", w), w + ".shape");
      boolean trainable = j.bool(j.required(m, "trainable", w), w + ".trainable");
      VariableEntry e = new VariableEntry(name, dtype, shape, trainable);
      if (byName.put(name, e) != null) {
        throw j.error(w, "variable \"" + JsonFields.abbreviate(name) + "\" is listed twice");
      }
      variables.add(e);
    }
    Map<String, Graph> functions = new LinkedHashMap<>();
    List<Object> fns =
        j.list(j.required(doc, "functions", "document"), "document.functions", 10_000);
    for (int i = 0; i < fns.size(); i++) {
      String w = "functions[" + i + "]";
      Map<String, Object> m = j.object(fns.get(i), w, FN_KEYS);
      String name = j.string(j.required(m, "name", w), w + ".name", 256);
      if (!DimExpr.isSymbolName(name)) {
        throw j.error(
            w + ".name",
            "\"" + JsonFields.abbreviate(name) + "\" is not a name (letters, digits, '_')");
      }
      if (functions.containsKey(name)) {
        throw j.error(w + ".name", "function \"" + name + "\" is defined twice");
      }
      functions.put(name, readFunction(j, m, w, name, byName, tensors));
    }
    return new Document(variables, functions);
  }

  private static List<Integer> constantDims(JsonFields j, Object v, String w) {
    List<Object> l = j.list(v, w, MAX_RANK);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      out.add(j.intValue(l.get(i), w + "[" + i + "]", 0, Integer.MAX_VALUE));
    }
    return out;
  }

  private static Graph readFunction(
      JsonFields j,
      Map<String, Object> m,
      String w,
      String fname,
      Map<String, VariableEntry> variables,
      SafeTensorsFile tensors) {
    // Inputs first: they define the symbols every other shape may use.
    List<Object> ins = j.list(j.required(m, "inputs", w), w + ".inputs", 1024);
    if (ins.isEmpty()) {
      throw j.error(w + ".inputs", "a function needs at least one input");
    }
    Set<String> symbols = new HashSet<>();
    List<TensorSpec> specs = new ArrayList<>();
    List<Integer> inputIds = new ArrayList<>();
    for (int i = 0; i < ins.size(); i++) {
      String wi = w + ".inputs[" + i + "]";
      Map<String, Object> in = j.object(ins.get(i), wi, INPUT_KEYS);
      String name = j.string(j.required(in, "name", wi), wi + ".name", 256);
      DType dtype = j.enumValue(j.required(in, "dtype", wi), wi + ".dtype", DType.values());
      List<Object> dims = j.list(j.required(in, "dims", wi), wi + ".dims", MAX_RANK);
      List<Object> syms = j.list(j.required(in, "symbols", wi), wi + ".symbols", MAX_RANK);
      if (syms.size() != dims.size()) {
        throw j.error(wi, dims.size() + " dims but " + syms.size() + " symbols");
      }
      List<Integer> d = new ArrayList<>();
      List<String> s = new ArrayList<>();
      for (int a = 0; a < dims.size(); a++) {
        int size = j.intValue(dims.get(a), wi + ".dims[" + a + "]", -1, Integer.MAX_VALUE);
        d.add(size);
        if (size == -1) {
          String sym = j.string(syms.get(a), wi + ".symbols[" + a + "]", 64);
          if (!DimExpr.isSymbolName(sym)) {
            throw j.error(
                wi + ".symbols[" + a + "]",
                "\"" + JsonFields.abbreviate(sym) + "\" is not a symbol name");
          }
          s.add(sym);
          symbols.add(sym);
        } else {
          if (syms.get(a) != null) {
            throw j.error(wi + ".symbols[" + a + "]", "a known dimension has no symbol (null)");
          }
          s.add(null);
        }
      }
      specs.add(new TensorSpec(name, dtype, d, s));
      inputIds.add(j.intValue(j.required(in, "value", wi), wi + ".value", 0, MAX_ITEMS));
    }
    // Every value's dtype and shape.
    Map<Integer, Value> values = new HashMap<>();
    List<Object> vals = j.list(j.required(m, "values", w), w + ".values", MAX_ITEMS);
    for (int i = 0; i < vals.size(); i++) {
      String wv = w + ".values[" + i + "]";
      Map<String, Object> v = j.object(vals.get(i), wv, VALUE_KEYS);
      int id = j.intValue(j.required(v, "id", wv), wv + ".id", 0, MAX_ITEMS);
      DType dtype = j.enumValue(j.required(v, "dtype", wv), wv + ".dtype", DType.values());
      SymbolicShape shape = shape(j, j.required(v, "shape", wv), wv + ".shape", symbols);
      if (values.put(id, new Value(id, dtype, shape)) != null) {
        throw j.error(wv + ".id", "value %" + id + " is declared twice");
      }
    }
    List<GraphInput> inputs = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      Value v = lookup(j, values, inputIds.get(i), w + ".inputs[" + i + "].value");
      TensorSpec spec = specs.get(i);
      if (v.dtype() != spec.dtype() || !v.shape().equals(spec.symbolicShape())) {
        throw j.error(w + ".inputs[" + i + "]", "value " + v + " does not match the spec " + spec);
      }
      inputs.add(new GraphInput(spec.name(), spec, v));
    }
    List<GraphVariable> vars = new ArrayList<>();
    List<Object> vl = j.list(j.required(m, "variables", w), w + ".variables", MAX_ITEMS);
    for (int i = 0; i < vl.size(); i++) {
      String wv = w + ".variables[" + i + "]";
      Map<String, Object> r = j.object(vl.get(i), wv, REF_KEYS);
      String name = j.string(j.required(r, "name", wv), wv + ".name", 4096);
      VariableEntry e = variables.get(name);
      if (e == null) {
        throw j.error(
            wv + ".name",
            "variable \"" + JsonFields.abbreviate(name) + "\" is not among the model's variables");
      }
      Value v =
          lookup(
              j,
              values,
              j.intValue(j.required(r, "value", wv), wv + ".value", 0, MAX_ITEMS),
              wv + ".value");
      if (v.dtype() != e.dtype() || !v.shape().equals(constantShape(e.shape()))) {
        throw j.error(
            wv, "value " + v + " does not match the variable's " + name(e.dtype()) + e.shape());
      }
      vars.add(new GraphVariable(name, e.trainable(), v));
    }
    List<GraphConstant> consts = new ArrayList<>();
    List<Object> cl = j.list(j.required(m, "constants", w), w + ".constants", MAX_ITEMS);
    for (int i = 0; i < cl.size(); i++) {
      String wc = w + ".constants[" + i + "]";
      Map<String, Object> r = j.object(cl.get(i), wc, CONST_KEYS);
      String tensor = j.string(j.required(r, "tensor", wc), wc + ".tensor", 4096);
      Value v =
          lookup(
              j,
              values,
              j.intValue(j.required(r, "value", wc), wc + ".value", 0, MAX_ITEMS),
              wc + ".value");
      if (!tensor.startsWith("constants/") || tensors.entry(tensor) == null) {
        throw j.error(
            wc + ".tensor",
            "no constant tensor \"" + JsonFields.abbreviate(tensor) + "\" in the file");
      }
      SafeTensorsFile.Entry entry = tensors.entry(tensor);
      if (entry.dtype() != v.dtype()
          || entry.shape() == null
          || !SymbolicShape.of(entry.shape()).equals(v.shape())) {
        throw j.error(wc, "tensor \"" + tensor + "\" is " + entry + " but the value is " + v);
      }
      HostArray data = tensors.read(entry);
      consts.add(new GraphConstant(v, data));
    }
    List<Node> nodes = new ArrayList<>();
    List<Object> nl = j.list(j.required(m, "nodes", w), w + ".nodes", MAX_ITEMS);
    for (int i = 0; i < nl.size(); i++) {
      String wn = w + ".nodes[" + i + "]";
      Map<String, Object> r = j.object(nl.get(i), wn, NODE_KEYS);
      String op = j.string(j.required(r, "op", wn), wn + ".op", 64);
      if (!ATTRS.containsKey(op)) {
        throw j.error(
            wn + ".op",
            "unknown op \""
                + JsonFields.abbreviate(op)
                + "\"; this library knows "
                + new java.util.TreeSet<>(ATTRS.keySet()));
      }
      Map<String, Object> attrs =
          j.object(j.required(r, "attrs", wn), wn + ".attrs", ATTRS.get(op));
      GraphOp g =
          op.equals("scan")
              ? readScan(j, attrs, wn + ".attrs", variables, tensors)
              : readOp(j, op, attrs, wn + ".attrs", symbols);
      List<Value> in = refs(j, values, j.required(r, "inputs", wn), wn + ".inputs");
      List<Value> out = refs(j, values, j.required(r, "outputs", wn), wn + ".outputs");
      String module = j.string(j.required(r, "module", wn), wn + ".module", 4096);
      GraphChecker.checkArity(j, g, in.size(), out.size(), wn);
      nodes.add(new Node(g, in, out, module));
    }
    List<Value> outputs = refs(j, values, j.required(m, "outputs", w), w + ".outputs");
    if (outputs.isEmpty()) {
      throw j.error(w + ".outputs", "a function needs at least one output");
    }
    Graph graph;
    try {
      graph = new Graph(inputs, vars, consts, nodes, outputs);
    } catch (IllegalArgumentException e) {
      throw j.error(w, e.getMessage());
    }
    GraphChecker.check(j, graph, w, fname);
    return graph;
  }

  /**
   * A scan's attributes; its body is read as a function of its own (nested no deeper than the
   * parser's depth bound allows), checked whole before the enclosing graph checks the node.
   */
  private static GraphOp readScan(
      JsonFields j,
      Map<String, Object> a,
      String w,
      Map<String, VariableEntry> variables,
      SafeTensorsFile tensors) {
    int carried = j.intValue(j.required(a, "carried", w), w + ".carried", 0, MAX_ITEMS);
    int sequences = j.intValue(j.required(a, "sequences", w), w + ".sequences", 1, MAX_ITEMS);
    int axis = j.intValue(j.required(a, "axis", w), w + ".axis", 0, MAX_RANK - 1);
    String wb = w + ".body";
    Map<String, Object> b = j.object(j.required(a, "body", w), wb, FN_KEYS);
    String bname = j.string(j.required(b, "name", wb), wb + ".name", 4096);
    Graph body = readFunction(j, b, wb, bname, variables, tensors);
    try {
      return new GraphOp.Scan(body, carried, sequences, axis);
    } catch (IllegalArgumentException e) {
      throw j.error(w, e.getMessage());
    }
  }

  private static Value lookup(JsonFields j, Map<Integer, Value> values, int id, String w) {
    Value v = values.get(id);
    if (v == null) {
      throw j.error(w, "value %" + id + " is not declared in \"values\"");
    }
    return v;
  }

  private static List<Value> refs(JsonFields j, Map<Integer, Value> values, Object list, String w) {
    List<Object> l = j.list(list, w, 100_000);
    List<Value> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      out.add(
          lookup(
              j, values, j.intValue(l.get(i), w + "[" + i + "]", 0, MAX_ITEMS), w + "[" + i + "]"));
    }
    return out;
  }

  private static SymbolicShape constantShape(List<Integer> dims) {
    List<DimExpr> d = new ArrayList<>();
    for (int x : dims) {
      d.add(DimExpr.constant(x));
    }
    return new SymbolicShape(d);
  }

  private static SymbolicShape shape(JsonFields j, Object v, String w, Set<String> symbols) {
    return new SymbolicShape(dimList(j, v, w, symbols, MAX_RANK));
  }

  private static List<DimExpr> dimList(
      JsonFields j, Object v, String w, Set<String> symbols, int max) {
    List<Object> l = j.list(v, w, max);
    List<DimExpr> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      out.add(dim(j, l.get(i), w + "[" + i + "]", symbols));
    }
    return out;
  }

  private static DimExpr dim(JsonFields j, Object v, String w, Set<String> symbols) {
    if (v instanceof Long) {
      return DimExpr.constant(j.integer(v, w, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }
    Map<String, Object> m = j.object(v, w, DIM_KEYS);
    long c =
        j.integer(
            j.required(m, "coefficient", w), w + ".coefficient", -MAX_COEFFICIENT, MAX_COEFFICIENT);
    long k =
        j.integer(
            j.required(m, "constant", w), w + ".constant", Integer.MIN_VALUE, Integer.MAX_VALUE);
    List<Object> syms = j.list(j.required(m, "symbols", w), w + ".symbols", 8);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < syms.size(); i++) {
      String s = j.string(syms.get(i), w + ".symbols[" + i + "]", 64);
      if (!symbols.contains(s)) {
        throw j.error(
            w + ".symbols[" + i + "]", "\"" + JsonFields.abbreviate(s) + "\" is no input's symbol");
      }
      names.add(s);
    }
    try {
      return new DimExpr(c, names, k);
    } catch (IllegalArgumentException e) {
      throw j.error(w, e.getMessage());
    }
  }

  private static final Set<String> CONV_KEYS =
      Set.of("stride", "dilation", "pad_before", "pad_after", "groups");
  private static final Map<String, Set<String>> ATTRS =
      Map.ofEntries(
          Map.entry("unary", Set.of("kind")),
          Map.entry("binary", Set.of("kind")),
          Map.entry("cast", Set.of("dtype")),
          Map.entry("matmul", Set.of("transpose_a", "transpose_b")),
          Map.entry("reshape", Set.of("shape")),
          Map.entry("broadcast_to", Set.of("shape")),
          Map.entry("permute", Set.of("perm")),
          Map.entry("slice", Set.of("begin", "step", "size")),
          Map.entry("split", Set.of("axis", "sizes")),
          Map.entry("concat", Set.of("axis")),
          Map.entry("pad", Set.of("before", "after", "value")),
          Map.entry("gather", Set.of("axis")),
          Map.entry("where", Set.of()),
          Map.entry("reduce", Set.of("kind", "axes", "keep_dims")),
          Map.entry("conv", CONV_KEYS),
          Map.entry("pool", union(CONV_KEYS, Set.of("kind", "window"))),
          Map.entry("fill", Set.of("dtype", "value", "shape")),
          Map.entry("scan", Set.of("carried", "sequences", "axis", "body")));

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new HashSet<>(a);
    out.addAll(b);
    return Set.copyOf(out);
  }

  private static List<Integer> intList(
      JsonFields j, Object v, String w, int min, int max, int maxLength) {
    List<Object> l = j.list(v, w, maxLength);
    List<Integer> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      out.add(j.intValue(l.get(i), w + "[" + i + "]", min, max));
    }
    return out;
  }

  private static int[] intArray(List<Integer> l) {
    int[] out = new int[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = l.get(i);
    }
    return out;
  }

  private static ConvParams convParams(JsonFields j, Map<String, Object> a, String w) {
    int[] stride = intArray(intList(j, j.required(a, "stride", w), w + ".stride", 1, 1 << 20, 3));
    int[] dilation =
        intArray(intList(j, j.required(a, "dilation", w), w + ".dilation", 1, 1 << 20, 3));
    int[] before =
        intArray(intList(j, j.required(a, "pad_before", w), w + ".pad_before", 0, 1 << 20, 3));
    int[] after =
        intArray(intList(j, j.required(a, "pad_after", w), w + ".pad_after", 0, 1 << 20, 3));
    int groups = j.intValue(j.required(a, "groups", w), w + ".groups", 1, 1 << 20);
    try {
      return new ConvParams(stride, dilation, before, after, groups);
    } catch (IllegalArgumentException e) {
      throw j.error(w, e.getMessage());
    }
  }

  private static GraphOp readOp(
      JsonFields j, String op, Map<String, Object> a, String w, Set<String> symbols) {
    return switch (op) {
      case "unary" ->
          new GraphOp.Unary(j.enumValue(j.required(a, "kind", w), w + ".kind", UnaryKind.values()));
      case "binary" ->
          new GraphOp.Binary(
              j.enumValue(j.required(a, "kind", w), w + ".kind", BinaryKind.values()));
      case "cast" ->
          new GraphOp.Cast(j.enumValue(j.required(a, "dtype", w), w + ".dtype", DType.values()));
      case "matmul" ->
          new GraphOp.MatMul(
              j.bool(j.required(a, "transpose_a", w), w + ".transpose_a"),
              j.bool(j.required(a, "transpose_b", w), w + ".transpose_b"));
      case "reshape" ->
          new GraphOp.Reshape(shape(j, j.required(a, "shape", w), w + ".shape", symbols));
      case "broadcast_to" ->
          new GraphOp.BroadcastTo(shape(j, j.required(a, "shape", w), w + ".shape", symbols));
      case "permute" ->
          new GraphOp.Permute(
              intList(j, j.required(a, "perm", w), w + ".perm", 0, MAX_RANK - 1, MAX_RANK));
      case "slice" ->
          new GraphOp.Slice(
              dimList(j, j.required(a, "begin", w), w + ".begin", symbols, MAX_RANK),
              intList(
                  j,
                  j.required(a, "step", w),
                  w + ".step",
                  -Integer.MAX_VALUE,
                  Integer.MAX_VALUE,
                  MAX_RANK),
              shape(j, j.required(a, "size", w), w + ".size", symbols));
      case "split" ->
          new GraphOp.Split(
              j.intValue(j.required(a, "axis", w), w + ".axis", 0, MAX_RANK - 1),
              dimList(j, j.required(a, "sizes", w), w + ".sizes", symbols, 100_000));
      case "concat" ->
          new GraphOp.Concat(j.intValue(j.required(a, "axis", w), w + ".axis", 0, MAX_RANK - 1));
      case "pad" ->
          new GraphOp.Pad(
              intList(j, j.required(a, "before", w), w + ".before", 0, Integer.MAX_VALUE, MAX_RANK),
              intList(j, j.required(a, "after", w), w + ".after", 0, Integer.MAX_VALUE, MAX_RANK),
              j.number(j.required(a, "value", w), w + ".value"));
      case "gather" ->
          new GraphOp.Gather(j.intValue(j.required(a, "axis", w), w + ".axis", 0, MAX_RANK - 1));
      case "where" -> new GraphOp.Where();
      case "reduce" ->
          new GraphOp.Reduce(
              j.enumValue(j.required(a, "kind", w), w + ".kind", ReduceKind.values()),
              intList(j, j.required(a, "axes", w), w + ".axes", 0, MAX_RANK - 1, MAX_RANK),
              j.bool(j.required(a, "keep_dims", w), w + ".keep_dims"));
      case "conv" -> new GraphOp.Conv(convParams(j, a, w));
      case "pool" ->
          new GraphOp.Pool(
              j.enumValue(j.required(a, "kind", w), w + ".kind", PoolKind.values()),
              intList(j, j.required(a, "window", w), w + ".window", 1, 1 << 20, 3),
              convParams(j, a, w));
      case "fill" ->
          new GraphOp.Fill(
              j.enumValue(j.required(a, "dtype", w), w + ".dtype", DType.values()),
              j.number(j.required(a, "value", w), w + ".value"),
              shape(j, j.required(a, "shape", w), w + ".shape", symbols));
      default -> throw j.error(w, "unknown op \"" + JsonFields.abbreviate(op) + "\"");
    };
  }
}
