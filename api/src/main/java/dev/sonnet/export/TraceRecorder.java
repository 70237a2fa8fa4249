package dev.sonnet.export;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.module.ModulePaths;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.Op;
import dev.sonnet.ops.OpDescriber;
import dev.sonnet.ops.OpDescriptions;
import dev.sonnet.ops.OpRecorder;
import dev.sonnet.ops.Scan;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.HalfFloats;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Records one run of a function at concrete sizes: every dispatched op becomes a node whose size
 * attributes are constants, every tensor a value. {@link Tracing} runs several of these at
 * different sizes and fits the sizes into {@link DimExpr}s.
 *
 * <p>A tensor met for the first time as an op's input, that no op made and that is not a variable's
 * value, was created by the function from constants ({@code Tensor.zeros}, a scalar): it becomes a
 * {@link GraphOp.Fill} node when all its elements are equal (its shape may then depend on the
 * batch, as an RNN's zero state does) and a constant otherwise. Values computed from an input or a
 * variable are <em>dynamic</em>: reading one back to the host throws, since the graph would freeze
 * the branch taken on it.
 */
final class TraceRecorder implements OpRecorder {
  /** Fused ops have no graph form: while tracing, fusing entry points dispatch primitives. */
  @Override
  public boolean wantsPrimitives() {
    return true;
  }

  /** Where a value comes from. */
  enum Source {
    INPUT,
    VARIABLE,
    CONSTANT,
    NODE
  }

  /** One tensor of the trace. */
  record TValue(Source source, DType dtype, Shape shape, boolean dynamic) {}

  /**
   * One op of the trace; {@code op} has constant sizes. A scan has no op yet ({@code op} is null):
   * its body is fitted across the runs with the rest of the graph.
   */
  record TNode(
      GraphOp op, int[] inputs, int[] outputs, String opName, String modulePath, ScanTrace scan) {
    TNode(GraphOp op, int[] inputs, int[] outputs, String opName, String modulePath) {
      this(op, inputs, outputs, opName, modulePath, null);
    }
  }

  /** A scan's body as recorded in one run, with the counts and axis of its {@link GraphOp.Scan}. */
  record ScanTrace(TraceRecorder body, int carried, int sequences, int axis) {}

  final List<TValue> values = new ArrayList<>();
  final List<TNode> nodes = new ArrayList<>();
  final List<Variable> variables = new ArrayList<>();
  final List<Integer> variableValues = new ArrayList<>();
  final List<Integer> constantValues = new ArrayList<>();
  final List<HostArray> constantData = new ArrayList<>();
  int[] outputs = new int[0];

  /** The value ids of the inputs, in order: the function's, or a loop body's (then captures). */
  final List<Integer> inputValues = new ArrayList<>();

  /** For a loop body: per captured input (after the declared ones), the enclosing value's id. */
  final List<Integer> captures = new ArrayList<>();

  /** The recorder of the enclosing graph when this one records a loop body, else null. */
  private final TraceRecorder parent;

  private final IdentityHashMap<Tensor, Integer> ids = new IdentityHashMap<>();
  private final IdentityHashMap<Variable, Integer> variableIds = new IdentityHashMap<>();

  /** A recorder of a function. */
  TraceRecorder() {
    this(null);
  }

  private TraceRecorder(TraceRecorder parent) {
    this.parent = parent;
  }

  /** Registers a function input; returns its value id. */
  int input(Tensor t) {
    int id = define(t, new TValue(Source.INPUT, t.dtype(), t.shape(), true));
    inputValues.add(id);
    return id;
  }

  /** The value id of {@code t}, capturing it as a constant or fill if it is new. */
  int valueOf(Tensor t) {
    Integer id = enclosingValue(t);
    if (id != null) {
      return id;
    }
    HostArray data;
    try (var pause = Dispatch.pause()) {
      data = HostArray.of(t);
    }
    double[] uniform = uniformValue(data);
    if (uniform != null) {
      int out = define(t, new TValue(Source.NODE, t.dtype(), t.shape(), false));
      nodes.add(
          new TNode(
              new GraphOp.Fill(t.dtype(), uniform[0], SymbolicShape.of(t.shape())),
              new int[0],
              new int[] {out},
              "fill",
              modulePath()));
      return out;
    }
    int out = define(t, new TValue(Source.CONSTANT, t.dtype(), t.shape(), false));
    constantValues.add(out);
    constantData.add(data);
    return out;
  }

  @Override
  public void record(Op op, Tensor[] inputs, Tensor[] outputs) {
    int[] in = new int[inputs.length];
    boolean dynamic = false;
    for (int i = 0; i < inputs.length; i++) {
      in[i] = valueOf(inputs[i]);
      dynamic |= values.get(in[i]).dynamic();
    }
    GraphOp g = OpDescriptions.describe(op, DESCRIBER);
    String module = modulePath();
    if (g == null && isView(inputs, outputs)) {
      // An op whose output is its input unchanged (stop_gradient, an identity): in inference it
      // is that input, so the output is the same graph value and no node is needed.
      ids.put(outputs[0], in[0]);
      return;
    }
    if (g == null) {
      throw new TraceException(
          op.name(),
          module,
          "tracing: op '"
              + op.name()
              + "'"
              + TraceException.where(module)
              + " has no graph form (the saved-model format holds the forward primitives of"
              + " inference); a gradient computation or a training-only op cannot be saved");
    }
    int[] out = new int[outputs.length];
    for (int i = 0; i < outputs.length; i++) {
      out[i] =
          define(
              outputs[i], new TValue(Source.NODE, outputs[i].dtype(), outputs[i].shape(), dynamic));
    }
    nodes.add(new TNode(g, in, out, op.name(), module));
  }

  /** Whether the single output is the first input's memory in the same shape and dtype. */
  private static boolean isView(Tensor[] inputs, Tensor[] outputs) {
    return outputs.length == 1
        && inputs.length >= 1
        && outputs[0].buffer() == inputs[0].buffer()
        && outputs[0].shape().equals(inputs[0].shape())
        && outputs[0].dtype() == inputs[0].dtype();
  }

  /**
   * The id of {@code t} when this graph (or one enclosing it) computed or read it, capturing it
   * into this loop body on the way; null for a tensor no recorder has seen.
   */
  private Integer enclosingValue(Tensor t) {
    Integer id = ids.get(t);
    if (id != null) {
      return id;
    }
    Integer outer = parent == null ? null : parent.enclosingValue(t);
    return outer == null ? null : capture(t, outer);
  }

  /** Makes {@code t}, the enclosing graph's value {@code outer}, an input of this loop body. */
  private int capture(Tensor t, int outer) {
    int id = input(t);
    captures.add(outer);
    return id;
  }

  @Override
  public void recordRead(Variable variable, Tensor value) {
    if (parent != null) {
      // A loop body reads variables through the enclosing graph: a capture, once per variable.
      Integer id = variableIds.get(variable);
      if (id == null) {
        parent.recordRead(variable, value);
        id = capture(value, parent.ids.get(value));
        variableIds.put(variable, id);
      }
      ids.put(value, id);
      return;
    }
    Integer id = variableIds.get(variable);
    if (id == null) {
      id = values.size();
      values.add(new TValue(Source.VARIABLE, variable.dtype(), variable.shape(), true));
      variableIds.put(variable, id);
      variables.add(variable);
      variableValues.add(id);
    }
    ids.put(value, id);
  }

  @Override
  public void recordValueRead(Tensor tensor) {
    Integer id = ids.get(tensor);
    if (id == null && parent != null) {
      parent.recordValueRead(tensor);
      return;
    }
    if (id != null && values.get(id).dynamic()) {
      String module = modulePath();
      throw new TraceException(
          "read",
          module,
          "tracing: the function reads the values of a "
              + tensor.dtype()
              + tensor.shape()
              + " tensor computed from its inputs or variables"
              + (parent != null ? " in the body of a loop (ops.Scan)" : "")
              + TraceException.where(module)
              + " (item(), toFloatArray(), ...). A graph cannot hold a decision taken on values"
              + " in Java; compute it with tensor ops (where, maximum, ...) instead");
    }
  }

  @Override
  public void recordWrite(Variable variable) {
    String module = modulePath();
    throw new TraceException(
        "assign",
        module,
        "tracing: the function assigns variable '"
            + variable.name()
            + "'"
            + TraceException.where(module)
            + "; a saved graph holds no assignments. Trace the inference computation (for"
            + " BatchNorm, isTraining = false)");
  }

  @Override
  public boolean recordsLoops() {
    return true;
  }

  /**
   * Records a scan as one node: its body is traced once, on step 0's slices, by a recorder of its
   * own (values it reads from this graph become captured inputs); the values the rest of the
   * function sees come from running the whole loop with recording paused.
   */
  @Override
  public Scan.Result recordScan(
      Scan.Body body, List<Tensor> initial, List<Tensor> sequences, int axis) {
    List<Integer> in = new ArrayList<>();
    for (Tensor t : initial) {
      in.add(valueOf(t));
    }
    for (Tensor t : sequences) {
      in.add(valueOf(t));
    }
    TraceRecorder inner = new TraceRecorder(this);
    Tensor[] carried = new Tensor[initial.size()];
    Tensor[] slices = new Tensor[sequences.size()];
    try (var pause = Dispatch.pause()) {
      for (int i = 0; i < carried.length; i++) {
        // A tensor of its own: the body's carried input, not the outer value it starts from.
        carried[i] = Tensor.wrap(initial.get(i).buffer(), initial.get(i).shape());
      }
      for (int i = 0; i < slices.length; i++) {
        Tensor seq = sequences.get(i);
        slices[i] = ShapeOps.squeeze(ShapeOps.split(seq, seq.dim(axis), axis).get(0), axis);
      }
    }
    for (Tensor t : carried) {
      inner.input(t);
    }
    for (Tensor t : slices) {
      inner.input(t);
    }
    Tensor[] result;
    Dispatch.pop(this);
    Dispatch.push(inner);
    try {
      result = body.step(carried.clone(), slices);
      Scan.checkStep(result, carried, 0);
      int[] out = new int[result.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = inner.valueOf(result[i]);
      }
      inner.outputs = out;
    } finally {
      Dispatch.pop(inner);
      Dispatch.push(this);
    }
    in.addAll(inner.captures);
    Scan.Result values;
    try (var pause = Dispatch.pause()) {
      values = Scan.eager(body, initial, sequences, axis);
    }
    List<Tensor> made = new ArrayList<>(values.finalCarried());
    made.addAll(values.outputs());
    int[] out = new int[made.size()];
    for (int i = 0; i < out.length; i++) {
      Tensor t = made.get(i);
      if (ids.containsKey(t)) {
        // The loop passed an outer value through unchanged: give the node's output its own tensor.
        t = Tensor.wrap(t.buffer(), t.shape());
        made.set(i, t);
      }
      out[i] = define(t, new TValue(Source.NODE, t.dtype(), t.shape(), true));
    }
    nodes.add(
        new TNode(
            null,
            in.stream().mapToInt(Integer::intValue).toArray(),
            out,
            "scan",
            modulePath(),
            new ScanTrace(inner, initial.size(), sequences.size(), axis)));
    int c = initial.size();
    return new Scan.Result(made.subList(0, c), made.subList(c, made.size()));
  }

  private int define(Tensor t, TValue v) {
    int id = values.size();
    values.add(v);
    ids.put(t, id);
    return id;
  }

  private static String modulePath() {
    String p = ModulePaths.current();
    return p == null ? "" : p;
  }

  /** {@code {v}} when every element equals {@code v} (bitwise, as doubles), else null. */
  private static double[] uniformValue(HostArray data) {
    int n = data.size();
    if (n == 0) {
      return new double[] {0};
    }
    if (data.dtype() == DType.INT64) {
      for (long v : data.longs()) {
        if (Math.abs(v) > (1L << 53)) {
          return null; // a double cannot hold it exactly: keep it as a constant
        }
      }
    }
    double first = element(data, 0);
    for (int i = 1; i < n; i++) {
      if (Double.compare(element(data, i), first) != 0) {
        return null;
      }
    }
    return new double[] {first};
  }

  private static double element(HostArray a, int i) {
    return switch (a.dtype()) {
      case FLOAT32 -> a.floats()[i];
      case FLOAT64 -> a.doubles()[i];
      case INT32 -> a.ints()[i];
      case INT64 -> a.longs()[i];
      case BOOL -> a.booleans()[i] ? 1 : 0;
      case BFLOAT16, FLOAT16 -> HalfFloats.fromBits(a.dtype(), a.bits()[i]);
    };
  }

  private static List<Integer> list(int[] a) {
    List<Integer> out = new ArrayList<>(a.length);
    for (int v : a) {
      out.add(v);
    }
    return out;
  }

  private static List<DimExpr> dims(int[] a) {
    List<DimExpr> out = new ArrayList<>(a.length);
    for (int v : a) {
      out.add(DimExpr.constant(v));
    }
    return out;
  }

  /** Each forward primitive as a node with constant sizes; null for any other op. */
  private static final OpDescriber<GraphOp> DESCRIBER =
      new OpDescriber<>() {
        @Override
        public GraphOp unary(UnaryKind kind) {
          return new GraphOp.Unary(kind);
        }

        @Override
        public GraphOp binary(BinaryKind kind) {
          return new GraphOp.Binary(kind);
        }

        @Override
        public GraphOp cast(DType dtype) {
          return new GraphOp.Cast(dtype);
        }

        @Override
        public GraphOp matmul(boolean transposeA, boolean transposeB) {
          return new GraphOp.MatMul(transposeA, transposeB);
        }

        @Override
        public GraphOp reshape(Shape shape) {
          return new GraphOp.Reshape(SymbolicShape.of(shape));
        }

        @Override
        public GraphOp broadcastTo(Shape shape) {
          return new GraphOp.BroadcastTo(SymbolicShape.of(shape));
        }

        @Override
        public GraphOp permute(int[] perm) {
          return new GraphOp.Permute(list(perm));
        }

        @Override
        public GraphOp slice(int[] begin, int[] step, Shape shape) {
          return new GraphOp.Slice(dims(begin), list(step), SymbolicShape.of(shape));
        }

        @Override
        public GraphOp split(int axis, int[] sizes) {
          return new GraphOp.Split(axis, dims(sizes));
        }

        @Override
        public GraphOp concat(int axis) {
          return new GraphOp.Concat(axis);
        }

        @Override
        public GraphOp pad(int[] before, int[] after, double value) {
          return new GraphOp.Pad(list(before), list(after), value);
        }

        @Override
        public GraphOp gather(int axis) {
          return new GraphOp.Gather(axis);
        }

        @Override
        public GraphOp where() {
          return new GraphOp.Where();
        }

        @Override
        public GraphOp reduce(ReduceKind kind, int[] axes, boolean keepDims) {
          return new GraphOp.Reduce(kind, list(axes), keepDims);
        }

        @Override
        public GraphOp conv(ConvParams params) {
          return new GraphOp.Conv(params);
        }

        @Override
        public GraphOp pool(PoolKind kind, int[] window, ConvParams params) {
          return new GraphOp.Pool(kind, list(window), params);
        }

        @Override
        public GraphOp other(Op op) {
          return null;
        }
      };
}
