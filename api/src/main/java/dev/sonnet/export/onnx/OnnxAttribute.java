package dev.sonnet.export.onnx;

import dev.sonnet.utils.ProtoWriter;
import java.util.Arrays;

/**
 * One attribute of an ONNX node ({@code AttributeProto}): a name and exactly one value, an {@code
 * int}, a {@code float}, a string, a list of ints or floats, or a graph (the body of a control-flow
 * operator such as {@code Scan}). These are all the kinds the library's ops need; ONNX's tensor
 * attributes are not used (constants are initializers).
 */
public final class OnnxAttribute {
  // AttributeProto.AttributeType values from onnx.proto.
  static final int FLOAT = 1;
  static final int INT = 2;
  static final int STRING = 3;
  static final int FLOATS = 6;
  static final int INTS = 7;
  static final int GRAPH = 5;

  private final String name;
  private final int type;
  private final long i;
  private final float f;
  private final String s;
  private final long[] ints;
  private final float[] floats;
  private final OnnxGraph graph;

  private OnnxAttribute(
      String name, int type, long i, float f, String s, long[] ints, float[] floats) {
    this(name, type, i, f, s, ints, floats, null);
  }

  private OnnxAttribute(
      String name,
      int type,
      long i,
      float f,
      String s,
      long[] ints,
      float[] floats,
      OnnxGraph graph) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("an ONNX attribute needs a name");
    }
    this.name = name;
    this.type = type;
    this.i = i;
    this.f = f;
    this.s = s;
    this.ints = ints;
    this.floats = floats;
    this.graph = graph;
  }

  /** An {@code INT} attribute (ONNX ints are 64-bit). */
  public static OnnxAttribute of(String name, long value) {
    return new OnnxAttribute(name, INT, value, 0, null, null, null);
  }

  /** A {@code FLOAT} attribute. */
  public static OnnxAttribute of(String name, float value) {
    return new OnnxAttribute(name, FLOAT, 0, value, null, null, null);
  }

  /** A {@code STRING} attribute (written as UTF-8). */
  public static OnnxAttribute of(String name, String value) {
    return new OnnxAttribute(name, STRING, 0, 0, value, null, null);
  }

  /** An {@code INTS} attribute. */
  public static OnnxAttribute ints(String name, long... values) {
    return new OnnxAttribute(name, INTS, 0, 0, null, values.clone(), null);
  }

  /** An {@code INTS} attribute from Java ints (axes, strides, pads). */
  public static OnnxAttribute ints(String name, int... values) {
    return new OnnxAttribute(
        name, INTS, 0, 0, null, Arrays.stream(values).asLongStream().toArray(), null);
  }

  /** A {@code FLOATS} attribute. */
  public static OnnxAttribute floats(String name, float... values) {
    return new OnnxAttribute(name, FLOATS, 0, 0, null, null, values.clone());
  }

  /**
   * A {@code GRAPH} attribute: a subgraph run by the node, such as {@code Scan}'s {@code body}. Its
   * nodes may read values of the enclosing graphs by name; build it with {@link
   * OnnxGraph.Builder#subgraph} so that those reads are checked. Written in full inside the node,
   * initializers included.
   */
  public static OnnxAttribute graph(String name, OnnxGraph value) {
    java.util.Objects.requireNonNull(value, "value");
    return new OnnxAttribute(name, GRAPH, 0, 0, null, null, null, value);
  }

  public String name() {
    return name;
  }

  /** The graph of a {@code GRAPH} attribute, else null. */
  public OnnxGraph graph() {
    return graph;
  }

  /** Encodes this attribute as an {@code AttributeProto} message. */
  ProtoWriter encode() {
    ProtoWriter w = new ProtoWriter().string(1, name);
    switch (type) {
      case FLOAT -> w.float32(2, f);
      case INT -> w.varint(3, i);
      case STRING -> w.string(4, s);
      case FLOATS -> w.packedFloats(7, floats);
      case INTS -> w.packedVarints(8, ints);
      case GRAPH -> w.message(6, graph.encode());
      default -> throw new IllegalStateException("attribute type " + type);
    }
    return w.varint(20, type);
  }

  @Override
  public String toString() {
    String value =
        switch (type) {
          case FLOAT -> Float.toString(f);
          case INT -> Long.toString(i);
          case STRING -> '"' + s + '"';
          case FLOATS -> Arrays.toString(floats);
          case GRAPH -> "graph " + graph.name() + " of " + graph.nodes().size() + " nodes";
          default -> Arrays.toString(ints);
        };
    return name + "=" + value;
  }
}
