package dev.sonnet.utils;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A reader of the protocol buffers wire format over a byte range, for the few messages the library
 * reads from other frameworks' files (TensorFlow checkpoints) without depending on protobuf.
 *
 * <p>It reads fields one at a time: {@link #next()} moves to the next field and returns its number
 * (or -1 at the end), then one of the value methods reads it, or {@link #skip()} passes over it.
 * Unknown fields are skipped by the caller, as protobuf requires. The bytes are never trusted:
 * every length is checked against the range before anything is read or allocated, varints longer
 * than 10 bytes, wire types 3, 4, 6 and 7 (groups and undefined types), field number 0 and a read
 * of the wrong wire type are errors. Every problem is a {@link ProtoFormatException} naming what
 * was read ({@link #what}), the field and the offset.
 *
 * <pre>{@code
 * var in = new ProtoReader(bytes, "BundleEntryProto");
 * for (int field; (field = in.next()) != -1; ) {
 *   switch (field) {
 *     case 1 -> dtype = in.int32();
 *     case 4 -> offset = in.int64();
 *     default -> in.skip();
 *   }
 * }
 * }</pre>
 *
 * <p>The writer for the same format, for exporting, is {@code ProtoWriter} in this package; the
 * wire-type constants have the same names.
 */
public final class ProtoReader {
  /** The largest field number protobuf allows, {@code 2^29 - 1} (as {@code ProtoWriter}). */
  public static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

  /** Wire type of varints (int32, int64, uint32, uint64, sint*, bool, enum). */
  public static final int WIRE_VARINT = 0;

  /** Wire type of fixed64, sfixed64 and double. */
  public static final int WIRE_FIXED64 = 1;

  /** Wire type of strings, bytes, nested messages and packed repeated fields. */
  public static final int WIRE_LENGTH_DELIMITED = 2;

  /** Wire type of fixed32, sfixed32 and float. */
  public static final int WIRE_FIXED32 = 5;

  private final byte[] bytes;
  private final int end;
  private final String what;
  private int pos;
  private int field = -1;
  private int wireType = -1;
  private int fieldStart;

  /** A reader of all of {@code bytes}; {@code what} names the message in errors. */
  public ProtoReader(byte[] bytes, String what) {
    this(bytes, 0, bytes.length, what);
  }

  /** A reader of {@code bytes[from, to)}; {@code what} names the message in errors. */
  public ProtoReader(byte[] bytes, int from, int to, String what) {
    if (from < 0 || to < from || to > bytes.length) {
      throw new IndexOutOfBoundsException(
          "range [" + from + ", " + to + ") of " + bytes.length + " bytes");
    }
    this.bytes = bytes;
    this.pos = from;
    this.end = to;
    this.what = what;
  }

  /** What is read, as given to the constructor (like {@code BundleEntryProto}). */
  public String what() {
    return what;
  }

  /**
   * Moves to the next field and returns its number, or -1 when the range is read. The value must
   * then be read (or skipped) before the next call.
   */
  public int next() {
    if (pos >= end) {
      field = -1;
      return -1;
    }
    fieldStart = pos;
    long tag = rawVarint();
    int type = (int) (tag & 7);
    long number = tag >>> 3;
    if (number == 0 || number > MAX_FIELD_NUMBER) {
      throw error("field number " + number + " is out of range [1, 536870911]");
    }
    if (type != WIRE_VARINT
        && type != WIRE_FIXED64
        && type != WIRE_LENGTH_DELIMITED
        && type != WIRE_FIXED32) {
      throw error(
          "field "
              + number
              + " has wire type "
              + type
              + " (groups and undefined types are not read)");
    }
    field = (int) number;
    wireType = type;
    return field;
  }

  /** The wire type of the current field. */
  public int wireType() {
    return wireType;
  }

  /** A varint field as a (two's complement) 64-bit value: int64, uint64, or an enum. */
  public long int64() {
    expect(WIRE_VARINT);
    return rawVarint();
  }

  /** A varint field as int32 (its low 32 bits, as protobuf defines for int32 and enums). */
  public int int32() {
    return (int) int64();
  }

  /** A varint field read as a non-negative count that fits an int; larger values are errors. */
  public int nonNegativeInt(String name) {
    long v = int64();
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw error(name + " is " + v + ", outside [0, " + Integer.MAX_VALUE + "]");
    }
    return (int) v;
  }

  /** A bool field. */
  public boolean bool() {
    return int64() != 0;
  }

  /** A fixed32 field (little-endian 4 bytes), as the int holding its bits. */
  public int fixed32() {
    expect(WIRE_FIXED32);
    need(4);
    int v =
        (bytes[pos] & 0xFF)
            | (bytes[pos + 1] & 0xFF) << 8
            | (bytes[pos + 2] & 0xFF) << 16
            | (bytes[pos + 3] & 0xFF) << 24;
    pos += 4;
    return v;
  }

  /** A fixed64 field (little-endian 8 bytes). */
  public long fixed64() {
    expect(WIRE_FIXED64);
    need(8);
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = v << 8 | (bytes[pos + i] & 0xFF);
    }
    pos += 8;
    return v;
  }

  /**
   * A length-delimited field as a reader of its bytes (a nested message); {@code what} names it.
   */
  public ProtoReader message(String what) {
    int len = length();
    ProtoReader r = new ProtoReader(bytes, pos, pos + len, this.what + "." + what);
    pos += len;
    return r;
  }

  /** A length-delimited field as a copy of its bytes. */
  public byte[] bytes() {
    int len = length();
    byte[] out = new byte[len];
    System.arraycopy(bytes, pos, out, 0, len);
    pos += len;
    return out;
  }

  /** A string field; its bytes must be valid UTF-8. */
  public String string() {
    int len = length();
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, pos, len))
              .toString();
      pos += len;
      return s;
    } catch (CharacterCodingException e) {
      throw error("field " + field + " is a string but not valid UTF-8");
    }
  }

  /** Passes over the current field's value. */
  public void skip() {
    switch (wireType) {
      case WIRE_VARINT -> rawVarint();
      case WIRE_FIXED64 -> {
        need(8);
        pos += 8;
      }
      case WIRE_FIXED32 -> {
        need(4);
        pos += 4;
      }
      case WIRE_LENGTH_DELIMITED -> pos += length();
      default -> throw new IllegalStateException("no current field to skip");
    }
  }

  /** An error about the current field of this message, with its offset. */
  public ProtoFormatException error(String problem) {
    return new ProtoFormatException(what + ": " + problem + " (at byte " + fieldStart + ")");
  }

  private int length() {
    expect(WIRE_LENGTH_DELIMITED);
    long len = rawVarint();
    if (len < 0 || len > end - pos) {
      throw error(
          "field "
              + field
              + " declares "
              + Long.toUnsignedString(len)
              + " bytes but "
              + (end - pos)
              + " remain in the message");
    }
    return (int) len;
  }

  private void expect(int type) {
    if (field < 0) {
      throw new IllegalStateException("call next() before reading a value");
    }
    if (wireType != type) {
      throw error("field " + field + " has wire type " + wireType + ", expected " + type);
    }
  }

  private void need(int n) {
    if (end - pos < n) {
      throw error("field " + field + " needs " + n + " bytes but " + (end - pos) + " remain");
    }
  }

  private long rawVarint() {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end) {
        throw error("a varint runs past the end of the message");
      }
      byte b = bytes[pos++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw error("a varint is longer than 10 bytes");
  }

  /**
   * Reads one unsigned varint at {@code at[0]} from {@code bytes} before {@code end}, moving {@code
   * at[0]} past it; returns -1 if it is malformed or does not end before {@code end}, or if its
   * value does not fit a non-negative long. For formats that use varints outside messages (the
   * LevelDB table of TensorFlow's checkpoint index).
   */
  public static long varint(byte[] bytes, int[] at, int end) {
    long v = 0;
    int p = at[0];
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end || p < 0) {
        return -1;
      }
      byte b = bytes[p++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        at[0] = p;
        return v < 0 || (shift == 63 && (b & 0x7F) > 1) ? -1 : v;
      }
    }
    return -1;
  }
}
