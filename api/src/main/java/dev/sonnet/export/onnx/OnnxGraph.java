package dev.sonnet.export.onnx;

import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.utils.ProtoWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An ONNX graph ({@code GraphProto}): inputs, outputs, initializers and nodes in topological order.
 * {@link Builder#build} checks what ONNX requires of a graph, so that a bug in a mapping is an
 * {@link OnnxExportException} naming the node and value here rather than an opaque load error in
 * another runtime: every value has one producer, every node input is produced before it is read,
 * and every graph output is produced.
 *
 * <p>A graph may also be a subgraph, the {@code GRAPH} attribute of a node ({@code Scan}'s body),
 * made with {@link Builder#subgraph}. Its nodes may read, by name, any value of the enclosing
 * graphs defined before the node that holds it (ONNX's outer scope), and must not define a name
 * those graphs define (ONNX forbids shadowing). Both are checked where the subgraph is built and
 * again where the enclosing graph is.
 *
 * <p>Write it with {@link OnnxModelFile}.
 */
public final class OnnxGraph {
  private final String name;
  private final List<OnnxValueInfo> inputs;
  private final List<OnnxValueInfo> outputs;
  private final List<OnnxInitializer> initializers;
  private final List<OnnxNode> nodes;
  private final Set<String> outerReads;
  private final Set<String> definedNames;

  private OnnxGraph(Builder b, Set<String> outerReads, Set<String> definedNames) {
    this.name = b.name;
    this.inputs = List.copyOf(b.inputs);
    this.outputs = List.copyOf(b.outputs);
    this.initializers = List.copyOf(b.initializers);
    this.nodes = List.copyOf(b.nodes);
    this.outerReads = Set.copyOf(outerReads);
    this.definedNames = Set.copyOf(definedNames);
  }

  /** A builder for a graph called {@code name} (shown by tools such as Netron). */
  public static Builder builder(String name) {
    return new Builder(name, null, Set.of());
  }

  /**
   * A builder for a subgraph that may read the values named in {@code outerScope} from the graphs
   * enclosing it: all that those graphs define before the node holding the subgraph. {@link
   * Builder#subgraph} passes that set itself.
   */
  public static Builder builder(String name, Set<String> outerScope) {
    return new Builder(name, null, Set.copyOf(outerScope));
  }

  public String name() {
    return name;
  }

  public List<OnnxValueInfo> inputs() {
    return inputs;
  }

  public List<OnnxValueInfo> outputs() {
    return outputs;
  }

  public List<OnnxInitializer> initializers() {
    return initializers;
  }

  public List<OnnxNode> nodes() {
    return nodes;
  }

  /**
   * The names this graph (or a subgraph of one of its nodes) reads from the graphs enclosing it;
   * empty for a model's main graph.
   */
  public Set<String> outerReads() {
    return outerReads;
  }

  /** The names this graph and its nodes' subgraphs define, for the enclosing graph's checks. */
  Set<String> definedNames() {
    return definedNames;
  }

  /**
   * The graph's fields other than initializers (nodes, name, inputs, outputs): small, so built in
   * memory; the initializers are streamed after them by {@link OnnxModelFile}.
   */
  ProtoWriter encodeWithoutInitializers() {
    ProtoWriter w = new ProtoWriter();
    for (OnnxNode n : nodes) {
      w.message(1, n.encode());
    }
    w.string(2, name);
    for (OnnxValueInfo v : inputs) {
      w.message(11, v.encode());
    }
    for (OnnxValueInfo v : outputs) {
      w.message(12, v.encode());
    }
    return w;
  }

  /** The whole {@code GraphProto} in memory, initializers included: a subgraph's encoding. */
  ProtoWriter encode() {
    ProtoWriter w = encodeWithoutInitializers();
    for (OnnxInitializer i : initializers) {
      w.message(5, i.encode());
    }
    return w;
  }

  /** Collects a graph's parts; {@link #build} validates them. */
  public static final class Builder {
    private final String name;
    private final Builder parent;
    private final Set<String> outerScope;
    private final List<OnnxValueInfo> inputs = new ArrayList<>();
    private final List<OnnxValueInfo> outputs = new ArrayList<>();
    private final List<OnnxInitializer> initializers = new ArrayList<>();
    private final List<OnnxNode> nodes = new ArrayList<>();

    private Builder(String name, Builder parent, Set<String> outerScope) {
      this.name = name;
      this.parent = parent;
      this.outerScope = outerScope;
    }

    /**
     * A builder for a subgraph of the node this graph adds next: when built, it may read every name
     * this graph has defined by then and every name this graph may read from its own outer scope.
     */
    public Builder subgraph(String name) {
      return new Builder(name, this, null);
    }

    /**
     * The names a subgraph of the node added next may read: this graph's inputs, initializers and
     * node outputs so far, and those of the graphs enclosing it.
     */
    public Set<String> visibleNames() {
      Set<String> names = new HashSet<>(outerScope());
      for (OnnxValueInfo v : inputs) {
        names.add(v.name());
      }
      for (OnnxInitializer i : initializers) {
        names.add(i.name());
      }
      for (OnnxNode n : nodes) {
        names.addAll(n.outputs());
      }
      return names;
    }

    private Set<String> outerScope() {
      return parent != null ? parent.visibleNames() : outerScope;
    }

    public Builder input(OnnxValueInfo value) {
      inputs.add(value);
      return this;
    }

    public Builder output(OnnxValueInfo value) {
      outputs.add(value);
      return this;
    }

    /** A constant named {@code name} holding {@code value}'s current values. */
    public Builder initializer(String name, Tensor value) {
      initializers.add(OnnxInitializer.of(name, value));
      return this;
    }

    /** A constant named {@code name} holding {@code value}. */
    public Builder initializer(String name, HostArray value) {
      initializers.add(OnnxInitializer.of(name, value));
      return this;
    }

    /** Appends a node; nodes must come in an order where each reads only values made before. */
    public Builder node(OnnxNode node) {
      nodes.add(node);
      return this;
    }

    public OnnxGraph build() {
      Set<String> outer = outerScope();
      Set<String> defined = new HashSet<>();
      Set<String> reads = new LinkedHashSet<>();
      Set<String> nested = new HashSet<>();
      for (OnnxValueInfo v : inputs) {
        define(defined, outer, v.name(), "graph input");
      }
      for (OnnxInitializer i : initializers) {
        define(defined, outer, i.name(), "initializer");
      }
      Set<String> nodeNames = new HashSet<>();
      for (OnnxNode n : nodes) {
        if (!nodeNames.add(n.name())) {
          throw new OnnxExportException("ONNX graph " + name + ": two nodes named " + n.name());
        }
        for (String in : n.inputs()) {
          if (!in.isEmpty()) {
            read(defined, outer, reads, in, n, "reads ");
          }
        }
        for (OnnxAttribute a : n.attributes()) {
          OnnxGraph g = a.graph();
          if (g == null) {
            continue;
          }
          for (String in : g.outerReads()) {
            read(defined, outer, reads, in, n, "has a subgraph " + g.name() + " that reads ");
          }
          for (String d : g.definedNames()) {
            if (defined.contains(d) || outer.contains(d)) {
              throw shadowing(
                  d,
                  "is defined by subgraph "
                      + g.name()
                      + " of node "
                      + n.name()
                      + " and before it, here or in an enclosing graph");
            }
          }
          nested.addAll(g.definedNames());
        }
        for (String out : n.outputs()) {
          define(defined, outer, out, "output of node " + n.name());
        }
      }
      for (String d : nested) {
        if (defined.contains(d)) {
          throw shadowing(d, "is defined by a subgraph and again by a later node of this graph");
        }
      }
      if (outputs.isEmpty()) {
        throw new OnnxExportException("ONNX graph " + name + " has no output");
      }
      for (OnnxValueInfo v : outputs) {
        if (!defined.contains(v.name())) {
          throw new OnnxExportException(
              "ONNX graph " + name + ": output " + v.name() + " is not produced by any node");
        }
      }
      defined.addAll(nested);
      return new OnnxGraph(this, reads, defined);
    }

    /** Checks that node {@code n} may read {@code value}: defined before it, here or outside. */
    private void read(
        Set<String> defined,
        Set<String> outer,
        Set<String> reads,
        String value,
        OnnxNode n,
        String what) {
      if (defined.contains(value)) {
        return;
      }
      if (outer.contains(value)) {
        reads.add(value);
        return;
      }
      throw new OnnxExportException(
          "ONNX graph "
              + name
              + ": node "
              + n.name()
              + " ("
              + n.opType()
              + ") "
              + what
              + value
              + ", which no graph input, initializer or earlier node defines"
              + (parent != null || !outer.isEmpty() ? ", here or in an enclosing graph" : ""));
    }

    private OnnxExportException shadowing(String value, String detail) {
      return new OnnxExportException(
          "ONNX graph "
              + name
              + ": value "
              + value
              + " "
              + detail
              + "; ONNX forbids a subgraph to shadow a name");
    }

    private void define(Set<String> defined, Set<String> outer, String value, String what) {
      if (value.isEmpty()) {
        throw new OnnxExportException("ONNX graph " + name + ": " + what + " has an empty name");
      }
      if (outer.contains(value)) {
        throw new OnnxExportException(
            "ONNX graph "
                + name
                + ": "
                + what
                + " "
                + value
                + " shadows a value of an enclosing graph, which ONNX forbids");
      }
      if (!defined.add(value)) {
        throw new OnnxExportException(
            "ONNX graph "
                + name
                + ": value "
                + value
                + " is defined twice (again as "
                + what
                + ")");
      }
    }
  }
}
