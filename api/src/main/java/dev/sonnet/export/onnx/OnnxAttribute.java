package dev.sonnet.export.onnx;

import dev.sonnet.utils.ProtoWriter;
import java.util.Arrays;

/**
 * One attribute of an ONNX node ({@code AttributeProto}): a name and exactly one value, an {@code
 * int}, a {@code float}, a string, or a list of ints or floats. These are all the kinds the
 * library's ops need; ONNX's tensor and graph attributes are not used (constants are initializers).
 */
public final class OnnxAttribute {
  // AttributeProto.AttributeType values from onnx.proto.
  static final int FLOAT = 1;
  static final int INT = 2;
  static final int STRING = 3;
  static final int FLOATS = 6;
  static final int INTS = 7;

  private final String name;
  private final int type;
  private final long i;
  private final float f;
  private final String s;
  private final long[] ints;
  private final float[] floats;

  private OnnxAttribute(
      String name, int type, long i, float f, String s, long[] ints, float[] floats) {
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

  public String name() {
    return name;
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
          default -> Arrays.toString(ints);
        };
    return name + "=" + value;
  }
}
