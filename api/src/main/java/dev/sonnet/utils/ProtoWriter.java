package dev.sonnet.utils;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the protocol-buffer wire format (https://protobuf.dev/programming-guides/encoding/) into a
 * growable byte array, with no protobuf library: enough to write files that other tools read with
 * their generated parsers (ONNX models, TensorBoard event files) while keeping the library free of
 * a compile-time protobuf dependency.
 *
 * <p>Each method appends one field, tag first ({@code fieldNumber << 3 | wireType}), and returns
 * {@code this} so fields chain. Fields are written in call order; protobuf parsers accept any
 * order, but writing them in field-number order, as protoc does, keeps files byte-comparable.
 *
 * <pre>{@code
 * // message Outer { int64 a = 1; string b = 2; Inner c = 3; }   message Inner { float x = 1; }
 * byte[] bytes = new ProtoWriter()
 *     .varint(1, 150)
 *     .string(2, "testing")
 *     .message(3, new ProtoWriter().float32(1, 0.5f))
 *     .toByteArray();
 * }</pre>
 *
 * <p>Which method for which {@code .proto} type:
 *
 * <ul>
 *   <li>{@link #varint}: {@code int32, int64, uint32, uint64, enum}; a negative {@code int32} is
 *       sign-extended to 64 bits and takes ten bytes, exactly as protoc writes it. {@link #bool}
 *       for {@code bool}. ({@code sint32/sint64} need zig-zag encoding, not provided: no format we
 *       write uses them.)
 *   <li>{@link #fixed32}/{@link #float32}: {@code fixed32, sfixed32, float}; {@link #fixed64}/
 *       {@link #float64}: {@code fixed64, sfixed64, double}. Little-endian, as the format says.
 *   <li>{@link #bytes}, {@link #string} (UTF-8), {@link #message} (a nested message, written by
 *       another {@code ProtoWriter}): length-delimited.
 *   <li>{@link #packedVarints}, {@link #packedFloats}, {@link #packedDoubles}: a repeated scalar
 *       field in packed form (one length-delimited record). Parsers accept the packed form for
 *       every repeated scalar field, also in {@code proto2} files that did not declare {@code
 *       [packed=true]}. For the unpacked form call the scalar method once per element.
 * </ul>
 *
 * <p>Cost: a nested message is built in its own writer and copied once into its parent. For a large
 * payload at the top of a file (a model's weights), write the parent's other fields, then {@link
 * #lengthDelimitedHeader} and stream the payload ({@link #writeTo}) instead of nesting it. The
 * buffer grows by doubling; a single writer holds at most {@code Integer.MAX_VALUE - 8} bytes
 * (about 2 GiB, also protobuf's own limit for one message) and fails clearly beyond that.
 *
 * <p>Not thread-safe; each writer is meant for one message built by one thread.
 */
public final class ProtoWriter {
  /** Wire type of varint fields. */
  public static final int WIRE_VARINT = 0;

  /** Wire type of 64-bit fields ({@code fixed64, sfixed64, double}). */
  public static final int WIRE_FIXED64 = 1;

  /** Wire type of length-delimited fields (bytes, strings, messages, packed repeated). */
  public static final int WIRE_LENGTH_DELIMITED = 2;

  /** Wire type of 32-bit fields ({@code fixed32, sfixed32, float}). */
  public static final int WIRE_FIXED32 = 5;

  /** Largest legal field number (2^29 - 1), from the protobuf language guide. */
  public static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

  // The JVM's largest safe array; protobuf itself caps one message at 2 GiB.
  private static final int MAX_SIZE = Integer.MAX_VALUE - 8;

  private byte[] buf;
  private int size;

  /** An empty writer with a small initial buffer. */
  public ProtoWriter() {
    this(64);
  }

  /**
   * An empty writer whose buffer starts at {@code initialCapacity} bytes: pass the expected size
   * when it is known (a tensor's byte count plus a few bytes of header) to avoid regrowing.
   */
  public ProtoWriter(int initialCapacity) {
    if (initialCapacity < 0 || initialCapacity > MAX_SIZE) {
      throw new IllegalArgumentException(
          "ProtoWriter capacity must be in [0, " + MAX_SIZE + "], got " + initialCapacity);
    }
    this.buf = new byte[Math.max(initialCapacity, 16)];
  }

  /** Appends a varint field: {@code int32, int64, uint32, uint64} or {@code enum}. */
  public ProtoWriter varint(int field, long value) {
    tag(field, WIRE_VARINT);
    rawVarint(value);
    return this;
  }

  /** Appends a {@code bool} field (a varint 0 or 1). */
  public ProtoWriter bool(int field, boolean value) {
    return varint(field, value ? 1 : 0);
  }

  /** Appends a 32-bit field ({@code fixed32, sfixed32}), little-endian. */
  public ProtoWriter fixed32(int field, int value) {
    tag(field, WIRE_FIXED32);
    rawFixed32(value);
    return this;
  }

  /** Appends a {@code float} field: the IEEE-754 bits as {@code fixed32}. */
  public ProtoWriter float32(int field, float value) {
    return fixed32(field, Float.floatToRawIntBits(value));
  }

  /** Appends a 64-bit field ({@code fixed64, sfixed64}), little-endian. */
  public ProtoWriter fixed64(int field, long value) {
    tag(field, WIRE_FIXED64);
    rawFixed64(value);
    return this;
  }

  /** Appends a {@code double} field: the IEEE-754 bits as {@code fixed64}. */
  public ProtoWriter float64(int field, double value) {
    return fixed64(field, Double.doubleToRawLongBits(value));
  }

  /** Appends a {@code bytes} field holding all of {@code value}. */
  public ProtoWriter bytes(int field, byte[] value) {
    return bytes(field, value, 0, value.length);
  }

  /** Appends a {@code bytes} field holding {@code value[offset, offset + length)}. */
  public ProtoWriter bytes(int field, byte[] value, int offset, int length) {
    if (offset < 0 || length < 0 || offset > value.length - length) {
      throw new IndexOutOfBoundsException(
          "bytes range [" + offset + ", " + offset + "+" + length + ") of " + value.length);
    }
    lengthDelimitedHeader(field, length);
    ensure(length);
    System.arraycopy(value, offset, buf, size, length);
    size += length;
    return this;
  }

  /** Appends a {@code string} field, encoded as UTF-8 as the format requires. */
  public ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Appends a nested message field: the bytes written so far by {@code nested}. */
  public ProtoWriter message(int field, ProtoWriter nested) {
    if (nested == this) {
      throw new IllegalArgumentException("a ProtoWriter cannot be nested in itself");
    }
    return bytes(field, nested.buf, 0, nested.size);
  }

  /** Appends a packed repeated varint field ({@code repeated int32/int64/uint64/enum/bool}). */
  public ProtoWriter packedVarints(int field, long[] values) {
    int length = 0;
    for (long v : values) {
      length += varintSize(v);
    }
    lengthDelimitedHeader(field, length);
    for (long v : values) {
      rawVarint(v);
    }
    return this;
  }

  /** Appends a packed repeated {@code float} field. */
  public ProtoWriter packedFloats(int field, float[] values) {
    lengthDelimitedHeader(field, Math.multiplyExact(values.length, Float.BYTES));
    for (float v : values) {
      rawFixed32(Float.floatToRawIntBits(v));
    }
    return this;
  }

  /** Appends a packed repeated {@code double} field. */
  public ProtoWriter packedDoubles(int field, double[] values) {
    lengthDelimitedHeader(field, Math.multiplyExact(values.length, Double.BYTES));
    for (double v : values) {
      rawFixed64(Double.doubleToRawLongBits(v));
    }
    return this;
  }

  /**
   * Appends only the tag and length of a length-delimited field whose {@code length} bytes the
   * caller writes next, by {@link #writeTo} of another writer or directly to the same stream: the
   * way to put a large message in a file without copying it into its parent.
   */
  public ProtoWriter lengthDelimitedHeader(int field, long length) {
    if (length < 0) {
      throw new IllegalArgumentException("length must be >= 0, got " + length);
    }
    tag(field, WIRE_LENGTH_DELIMITED);
    rawVarint(length);
    return this;
  }

  /** Number of bytes written so far. */
  public int size() {
    return size;
  }

  /** A copy of the bytes written so far. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /** Writes the bytes written so far to {@code out} (without copying them). */
  public void writeTo(OutputStream out) throws IOException {
    out.write(buf, 0, size);
  }

  /** Number of bytes {@code value} takes as a varint (1 to 10). */
  public static int varintSize(long value) {
    // 7 payload bits per byte; a negative value uses all 64 bits, hence 10 bytes.
    int bits = 64 - Long.numberOfLeadingZeros(value);
    return Math.max(1, (bits + 6) / 7);
  }

  private void tag(int field, int wireType) {
    if (field < 1 || field > MAX_FIELD_NUMBER) {
      throw new IllegalArgumentException(
          "protobuf field number must be in [1, " + MAX_FIELD_NUMBER + "], got " + field);
    }
    rawVarint(((long) field << 3) | wireType);
  }

  private void rawVarint(long value) {
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      buf[size++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[size++] = (byte) value;
  }

  private void rawFixed32(int value) {
    ensure(4);
    buf[size++] = (byte) value;
    buf[size++] = (byte) (value >>> 8);
    buf[size++] = (byte) (value >>> 16);
    buf[size++] = (byte) (value >>> 24);
  }

  private void rawFixed64(long value) {
    rawFixed32((int) value);
    rawFixed32((int) (value >>> 32));
  }

  private void ensure(int more) {
    if (more <= buf.length - size) {
      return;
    }
    long needed = (long) size + more;
    if (needed > MAX_SIZE) {
      throw new IllegalStateException(
          "protobuf message would exceed "
              + MAX_SIZE
              + " bytes (protobuf's 2 GiB limit): "
              + size
              + " written, "
              + more
              + " more requested");
    }
    long grown = Math.max(needed, Math.min((long) buf.length * 2, MAX_SIZE));
    buf = Arrays.copyOf(buf, (int) grown);
  }
}
