package dev.sonnet.export;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.ops.WinogradConvOp;
import dev.sonnet.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a traced graph for inference: what a graph allows and eager execution cannot, since
 * eager mode sees one op at a time. Passes, in order:
 *
 * <ol>
 *   <li><b>Fusion</b> ({@link #fuse}): {@code matmul(a, w) + bias} and {@code conv(x, w) + bias},
 *       each optionally followed by relu, sigmoid or tanh, become one {@link GraphOp.FusedMatMul}
 *       or {@link GraphOp.FusedConv} node, when the intermediate results have no other reader, the
 *       weight is a matrix ({@code transposeA} false) and the bias is a vector along the output's
 *       last axis. The fused op writes the product once and adds the bias and applies the
 *       activation in place: same arithmetic in the same order as the unfused ops, so the same
 *       bits, with two fewer output tensors per layer. A fused product whose weight is a variable
 *       or a constant is marked {@code constantWeight}: its op keeps the weight packed in the
 *       backend's product layout between calls ({@code PackedWeights}), the same bits without the
 *       per-call packing.
 *   <li><b>Winograd</b> ({@link #winograd}): a float32 3x3, stride-1, 2-d convolution (fused or
 *       not) whose filter is a variable or a constant becomes a {@link GraphOp.WinogradConv}
 *       reading the filter's {@link GraphOp.WinogradFilter} transform, which the runner computes
 *       once per variable value (see below) instead of once per call. Where the runtime has the
 *       kernel (the CPU runtime, at least 8 input channels) the convolution multiplies 2.25x less;
 *       elsewhere the node is the fused convolution it replaced. Not the direct convolution's bits:
 *       the same sums regrouped, within the bound {@code WinogradConvOp} states.
 *   <li><b>Pooling into convolutions</b> ({@link #poolIntoConvolutions}): a fused or Winograd 2-d
 *       convolution (no activation or ReLU) whose only reader is a max pooling over 2x2 windows
 *       with stride 2 and no padding, and whose output sizes are even, becomes one {@link
 *       GraphOp.ConvMaxPool}: where the runtime has the kernel the convolution's output (four times
 *       the pooled size) is never written. Bit for bit the two ops.
 * </ol>
 *
 * <p>Constant folding and the once-made buffer plan belong to the runner ({@link GraphRunner}):
 * folding there covers what depends only on constants <em>and</em> variables (a BatchNorm's {@code
 * scale * rsqrt(variance + eps)}), recomputed only when a variable is assigned, which a pass over
 * the graph could not do without freezing the variables.
 *
 * <p>Each pass is a function of the graph alone and keeps value ids, so it can be tested and
 * rewired on its own (a runtime with a GEMM epilogue of its own plugs in at {@code FusedMatMulOp}).
 */
final class InferenceOptimizer {
  private InferenceOptimizer() {}

  static Graph optimize(Graph graph) {
    return poolIntoConvolutions(winograd(fuse(optimizeLoopBodies(graph))));
  }

  /** {@code g} with the body of every scan optimized as a graph of its own. */
  private static Graph optimizeLoopBodies(Graph g) {
    List<Node> nodes = new ArrayList<>(g.nodes().size());
    boolean changed = false;
    for (Node n : g.nodes()) {
      if (n.op() instanceof GraphOp.Scan sc) {
        Graph body = optimize(sc.body());
        if (body != sc.body()) {
          n =
              new Node(
                  new GraphOp.Scan(body, sc.carried(), sc.sequences(), sc.axis()),
                  n.inputs(),
                  n.outputs(),
                  n.modulePath());
          changed = true;
        }
      }
      nodes.add(n);
    }
    return changed ? new Graph(g.inputs(), g.variables(), g.constants(), nodes, g.outputs()) : g;
  }

  /**
   * Who reads and makes each value of a graph: the number of reading nodes per value id, the node
   * making each node output, and the graph's output ids.
   */
  private record Uses(
      Map<Integer, Integer> readers, Map<Integer, Node> producer, Set<Integer> outputs) {
    static Uses of(Graph g) {
      Map<Integer, Integer> readers = new HashMap<>();
      Map<Integer, Node> producer = new HashMap<>();
      for (Node n : g.nodes()) {
        for (Value v : n.inputs()) {
          readers.merge(v.id(), 1, Integer::sum);
        }
        for (Value v : n.outputs()) {
          producer.put(v.id(), n);
        }
      }
      Set<Integer> outputs = new HashSet<>();
      for (Value v : g.outputs()) {
        outputs.add(v.id());
      }
      return new Uses(readers, producer, outputs);
    }
  }

  /**
   * The ids of the graph's variables and constants: values that change only by assignment (a loop
   * body's captured weights are inputs of the body, not listed).
   */
  private static Set<Integer> variablesAndConstants(Graph g) {
    Set<Integer> ids = new HashSet<>();
    for (GraphVariable v : g.variables()) {
      ids.add(v.value().id());
    }
    for (GraphConstant c : g.constants()) {
      ids.add(c.value().id());
    }
    return ids;
  }

  /** The fusion pass; see the class comment. */
  static Graph fuse(Graph g) {
    Uses uses = Uses.of(g);
    Map<Integer, Integer> readers = uses.readers();
    Map<Integer, Node> producer = uses.producer();
    Set<Integer> outputs = uses.outputs();
    Set<Integer> fixed = variablesAndConstants(g);
    List<Node> nodes = g.nodes();
    Set<Node> absorbed = new HashSet<>();
    Map<Node, Node> replacement = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node head = nodes.get(i);
      boolean isMatMul =
          head.op() instanceof GraphOp.MatMul m
              && !m.transposeA()
              && head.inputs().get(0).shape().rank() >= 2
              && head.inputs().get(1).shape().rank() == 2;
      boolean isConv = head.op() instanceof GraphOp.Conv;
      if (!isMatMul && !isConv) {
        continue;
      }
      Value product = head.outputs().get(0);
      List<Value> inputs = new ArrayList<>(head.inputs());
      Node last = head;
      List<Node> chain = new ArrayList<>();
      boolean hasBias = false;
      Node add = soleReader(nodes, i, product, readers, outputs);
      if (add != null
          && add.op() instanceof GraphOp.Binary b
          && b.kind() == BinaryKind.ADD
          && !absorbed.contains(add)) {
        Value other =
            add.inputs().get(0).id() == product.id() ? add.inputs().get(1) : add.inputs().get(0);
        boolean vectorBias =
            other.id() != product.id()
                && other.dtype() == product.dtype()
                && other.shape().rank() == 1
                && other.shape().dim(0).equals(product.shape().dim(product.shape().rank() - 1))
                && add.outputs().get(0).shape().equals(product.shape());
        if (vectorBias) {
          inputs.add(other);
          hasBias = true;
          chain.add(add);
          last = add;
        }
      }
      UnaryKind activation = null;
      Value tail = last.outputs().get(0);
      Node act = soleReader(nodes, nodes.indexOf(last), tail, readers, outputs);
      if (act != null
          && act.op() instanceof GraphOp.Unary u
          && (u.kind() == UnaryKind.RELU
              || u.kind() == UnaryKind.SIGMOID
              || u.kind() == UnaryKind.TANH)) {
        activation = u.kind();
        chain.add(act);
        last = act;
      }
      if (chain.isEmpty()) {
        continue;
      }
      GraphOp fused =
          isMatMul
              ? new GraphOp.FusedMatMul(
                  false,
                  ((GraphOp.MatMul) head.op()).transposeB(),
                  hasBias,
                  activation,
                  fixed.contains(head.inputs().get(1).id()))
              : new GraphOp.FusedConv(((GraphOp.Conv) head.op()).params(), hasBias, activation);
      // The fused node replaces the last node of the chain, so every input it reads (the bias may
      // be made between the product and the add) is defined before it.
      replacement.put(last, new Node(fused, inputs, last.outputs(), head.modulePath()));
      absorbed.add(head);
      for (Node c : chain) {
        if (c != last) {
          absorbed.add(c);
        }
      }
    }
    if (replacement.isEmpty()) {
      return g;
    }
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      Node r = replacement.get(n);
      if (r != null) {
        out.add(r);
      } else if (!absorbed.contains(n)) {
        out.add(n);
      }
    }
    return new Graph(g.inputs(), g.variables(), g.constants(), out, g.outputs());
  }

  /** The Winograd pass; see the class comment. */
  static Graph winograd(Graph g) {
    Set<Integer> fixed = variablesAndConstants(g);
    int nextId = 0;
    for (GraphInput in : g.inputs()) {
      nextId = Math.max(nextId, in.value().id() + 1);
    }
    for (GraphVariable v : g.variables()) {
      nextId = Math.max(nextId, v.value().id() + 1);
    }
    for (GraphConstant c : g.constants()) {
      nextId = Math.max(nextId, c.value().id() + 1);
    }
    for (Node n : g.nodes()) {
      for (Value v : n.outputs()) {
        nextId = Math.max(nextId, v.id() + 1);
      }
    }
    List<Node> out = new ArrayList<>(g.nodes().size());
    // One transform per filter, even when several convolutions share it.
    Map<Integer, Value> transformed = new HashMap<>();
    boolean changed = false;
    for (Node n : g.nodes()) {
      ConvParams params;
      boolean hasBias;
      UnaryKind activation;
      if (n.op() instanceof GraphOp.FusedConv f) {
        params = f.params();
        hasBias = f.hasBias();
        activation = f.activation();
      } else if (n.op() instanceof GraphOp.Conv c) {
        params = c.params();
        hasBias = false;
        activation = null;
      } else {
        out.add(n);
        continue;
      }
      Value x = n.inputs().get(0);
      Value w = n.inputs().get(1);
      if (!winogradApplies(params, x, w) || !fixed.contains(w.id())) {
        out.add(n);
        continue;
      }
      Value u = transformed.get(w.id());
      if (u == null) {
        DimExpr c = w.shape().dim(2);
        DimExpr o = w.shape().dim(3);
        u = new Value(nextId++, w.dtype(), new SymbolicShape(List.of(DimExpr.constant(16), c, o)));
        transformed.put(w.id(), u);
        out.add(new Node(new GraphOp.WinogradFilter(), List.of(w), List.of(u), n.modulePath()));
      }
      List<Value> inputs = new ArrayList<>(List.of(x, w, u));
      if (hasBias) {
        inputs.add(n.inputs().get(2));
      }
      out.add(
          new Node(
              new GraphOp.WinogradConv(params, hasBias, activation),
              inputs,
              n.outputs(),
              n.modulePath()));
      changed = true;
    }
    return changed ? new Graph(g.inputs(), g.variables(), g.constants(), out, g.outputs()) : g;
  }

  /** The pooling pass; see the class comment. */
  static Graph poolIntoConvolutions(Graph g) {
    Uses uses = Uses.of(g);
    Map<Integer, Integer> readers = uses.readers();
    Map<Integer, Node> producer = uses.producer();
    Set<Integer> outputs = uses.outputs();
    Map<Node, Node> replacement = new HashMap<>();
    Set<Node> absorbed = new HashSet<>();
    for (Node n : g.nodes()) {
      if (!(n.op() instanceof GraphOp.Pool p) || !isMaxPool2x2(p)) {
        continue;
      }
      Value in = n.inputs().get(0);
      Node conv = producer.get(in.id());
      if (conv == null
          || readers.getOrDefault(in.id(), 0) != 1
          || outputs.contains(in.id())
          || !evenSpatial(in.shape())) {
        continue;
      }
      GraphOp fused =
          switch (conv.op()) {
            case GraphOp.FusedConv f when f.params().rank() == 2 && reluOrNone(f.activation()) ->
                new GraphOp.ConvMaxPool(f.params(), f.hasBias(), f.activation(), false);
            case GraphOp.WinogradConv f when reluOrNone(f.activation()) ->
                new GraphOp.ConvMaxPool(f.params(), f.hasBias(), f.activation(), true);
            default -> null;
          };
      if (fused == null) {
        continue;
      }
      replacement.put(n, new Node(fused, conv.inputs(), n.outputs(), conv.modulePath()));
      absorbed.add(conv);
    }
    if (replacement.isEmpty()) {
      return g;
    }
    List<Node> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (!absorbed.contains(n)) {
        out.add(replacement.getOrDefault(n, n));
      }
    }
    return new Graph(g.inputs(), g.variables(), g.constants(), out, g.outputs());
  }

  private static boolean reluOrNone(UnaryKind activation) {
    return activation == null || activation == UnaryKind.RELU;
  }

  /** Max pooling over 2x2 windows with stride 2, dilation 1 and no padding, in 2-d. */
  private static boolean isMaxPool2x2(GraphOp.Pool p) {
    ConvParams c = p.params();
    return p.kind() == PoolKind.MAX
        && p.window().equals(List.of(2, 2))
        && c.rank() == 2
        && c.groups() == 1
        && Arrays.equals(c.stride(), new int[] {2, 2})
        && Arrays.equals(c.dilation(), new int[] {1, 1})
        && Arrays.equals(c.padBefore(), new int[] {0, 0})
        && Arrays.equals(c.padAfter(), new int[] {0, 0});
  }

  /** A rank-4 channels-last shape whose two spatial sizes are known and even. */
  private static boolean evenSpatial(SymbolicShape s) {
    if (s.rank() != 4) {
      return false;
    }
    for (int axis = 1; axis <= 2; axis++) {
      DimExpr d = s.dim(axis);
      if (!d.isConstant() || d.constant() % 2 != 0) {
        return false;
      }
    }
    return true;
  }

  /** A float32 2-d convolution with a constant-shaped 3x3 filter, stride 1, dilation 1, 1 group. */
  private static boolean winogradApplies(ConvParams params, Value x, Value w) {
    return WinogradConvOp.isEligible(params)
        && x.dtype() == DType.FLOAT32
        && w.dtype() == DType.FLOAT32
        && w.shape().rank() == 4
        && w.shape().isConstant()
        && w.shape().dim(0).equals(DimExpr.constant(3))
        && w.shape().dim(1).equals(DimExpr.constant(3));
  }

  /**
   * The only node reading {@code v}, found after position {@code from}; null if not exactly one.
   */
  private static Node soleReader(
      List<Node> nodes, int from, Value v, Map<Integer, Integer> readers, Set<Integer> outputs) {
    if (readers.getOrDefault(v.id(), 0) != 1 || outputs.contains(v.id())) {
      return null;
    }
    for (int i = from + 1; i < nodes.size(); i++) {
      for (Value in : nodes.get(i).inputs()) {
        if (in.id() == v.id()) {
          return nodes.get(i);
        }
      }
    }
    return null;
  }
}
