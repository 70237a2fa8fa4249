package dev.sonnet.export.onnx;

import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.utils.ProtoWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An ONNX graph ({@code GraphProto}): inputs, outputs, initializers and nodes in topological order.
 * {@link Builder#build} checks what ONNX requires of a graph, so that a bug in a mapping is an
 * {@link OnnxExportException} naming the node and value here rather than an opaque load error in
 * another runtime: every value has one producer, every node input is produced before it is read,
 * and every graph output is produced.
 *
 * <p>Write it with {@link OnnxModelFile}.
 */
public final class OnnxGraph {
  private final String name;
  private final List<OnnxValueInfo> inputs;
  private final List<OnnxValueInfo> outputs;
  private final List<OnnxInitializer> initializers;
  private final List<OnnxNode> nodes;

  private OnnxGraph(Builder b) {
    this.name = b.name;
    this.inputs = List.copyOf(b.inputs);
    this.outputs = List.copyOf(b.outputs);
    this.initializers = List.copyOf(b.initializers);
    this.nodes = List.copyOf(b.nodes);
  }

  /** A builder for a graph called {@code name} (shown by tools such as Netron). */
  public static Builder builder(String name) {
    return new Builder(name);
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

  /** Collects a graph's parts; {@link #build} validates them. */
  public static final class Builder {
    private final String name;
    private final List<OnnxValueInfo> inputs = new ArrayList<>();
    private final List<OnnxValueInfo> outputs = new ArrayList<>();
    private final List<OnnxInitializer> initializers = new ArrayList<>();
    private final List<OnnxNode> nodes = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
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
      Set<String> defined = new HashSet<>();
      for (OnnxValueInfo v : inputs) {
        define(defined, v.name(), "graph input");
      }
      for (OnnxInitializer i : initializers) {
        define(defined, i.name(), "initializer");
      }
      Set<String> nodeNames = new HashSet<>();
      for (OnnxNode n : nodes) {
        if (!nodeNames.add(n.name())) {
          throw new OnnxExportException("ONNX graph " + name + ": two nodes named " + n.name());
        }
        for (String in : n.inputs()) {
          if (!in.isEmpty() && !defined.contains(in)) {
            throw new OnnxExportException(
                "ONNX graph "
                    + name
                    + ": node "
                    + n.name()
                    + " ("
                    + n.opType()
                    + ") reads "
                    + in
                    + ", which no graph input, initializer or earlier node defines");
          }
        }
        for (String out : n.outputs()) {
          define(defined, out, "output of node " + n.name());
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
      return new OnnxGraph(this);
    }

    private void define(Set<String> defined, String value, String what) {
      if (value.isEmpty()) {
        throw new OnnxExportException("ONNX graph " + name + ": " + what + " has an empty name");
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
