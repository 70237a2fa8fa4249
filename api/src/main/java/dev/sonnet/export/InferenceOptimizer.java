package dev.sonnet.export;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.UnaryKind;
import java.util.ArrayList;
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
 *       bits, with two fewer output tensors per layer.
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
    return fuse(optimizeLoopBodies(graph));
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

  /** The fusion pass; see the class comment. */
  static Graph fuse(Graph g) {
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
                  false, ((GraphOp.MatMul) head.op()).transposeB(), hasBias, activation)
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
