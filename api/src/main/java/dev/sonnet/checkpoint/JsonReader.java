package dev.sonnet.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A strict pull reader of JSON text (RFC 8259) in UTF-8 bytes, for the few shapes a safetensors
 * header has: objects of objects, strings and arrays of integers.
 *
 * <p>It reads straight from the header's bytes and builds nothing general: no tree of maps, lists
 * and boxed numbers, no copy of the text as a {@code String}. A string is decoded only when the
 * caller keeps it, one the caller expects (a field name, a dtype) is matched in place and returned
 * as the caller's own constant, and {@link #nextString(Utf8Sink)} hands the bytes over without
 * decoding them at all. So reading a header allocates what the caller keeps and little more, which
 * is what bounds the checkpoint reader's memory by the file's size.
 *
 * <p>It never trusts its input: control characters in strings, bad or unpaired-surrogate escapes,
 * unterminated strings, missing separators and trailing content are errors naming the byte offset.
 * There is no recursion: the caller walks the nesting it expects. The bytes must be valid UTF-8
 * ({@link Utf8}); strings are decoded trusting that.
 */
final class JsonReader {
  /** Receives a string's UTF-8 bytes (escapes resolved). */
  @FunctionalInterface
  interface Utf8Sink {
    void accept(byte[] bytes, int offset, int length);
  }

  /** Thrown for malformed input; the caller adds what was being read. */
  static final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    JsonException(String message) {
      super(message);
    }
  }

  private final byte[] text;
  private final int end;
  private int pos;

  /** Where the last string's bytes are: in {@link #text} itself, or in {@link #unescaped}. */
  private byte[] stringBytes;

  private int stringStart;
  private int stringLength;

  /** Holds a string with escapes once they are resolved; grows to the longest such string. */
  private byte[] unescaped = new byte[0];

  /** Reads {@code text[0, length)}. */
  JsonReader(byte[] text, int length) {
    this.text = text;
    this.end = length;
  }

  // ---- structure -----------------------------------------------------------------------------

  /** Whether the next value (after whitespace) starts with {@code c}; consumes nothing. */
  boolean nextIs(char c) {
    skipWhitespace();
    return peek() == c;
  }

  /** The offset of the next value, after whitespace: for {@link #error(String, int)}. */
  int nextOffset() {
    skipWhitespace();
    return pos;
  }

  /** Consumes the {@code '{'} that opens an object. */
  void beginObject() throws JsonException {
    expect('{');
  }

  /** Consumes the {@code '['} that opens an array. */
  void beginArray() throws JsonException {
    expect('[');
  }

  /** Consumes the {@code ':'} between a key and its value. */
  void expectColon() throws JsonException {
    expect(':');
  }

  /**
   * Right after {@link #beginObject} or {@link #beginArray}: whether a first item follows, or
   * {@code close} ({@code '}'} or {@code ']'}, consumed) ends an empty one.
   */
  boolean firstItem(char close) {
    if (nextIs(close)) {
      pos++;
      return false;
    }
    return true;
  }

  /** After an item: whether a {@code ','} (consumed) announces another, or {@code close} ends. */
  boolean nextItem(char close) throws JsonException {
    skipWhitespace();
    int c = peek();
    if (c == ',') {
      pos++;
      return true;
    }
    if (c == close) {
      pos++;
      return false;
    }
    throw error(
        "expected ',' or '" + close + "'" + (close == '}' ? " in an object" : " in an array"));
  }

  /** Checks that nothing but whitespace follows the value just read. */
  void endOfText() throws JsonException {
    skipWhitespace();
    if (pos != end) {
      throw error("unexpected content after the end of the JSON value");
    }
  }

  // ---- strings -------------------------------------------------------------------------------

  /** Reads a string. */
  String nextString() throws JsonException {
    readString();
    return new String(stringBytes, stringStart, stringLength, StandardCharsets.UTF_8);
  }

  /**
   * Reads a string; if it equals one of {@code known} (ASCII), returns that very instance without
   * decoding anything, so expected names and dtypes cost no allocation.
   */
  String nextString(String[] known) throws JsonException {
    readString();
    for (String k : known) {
      if (stringEquals(k)) {
        return k;
      }
    }
    return new String(stringBytes, stringStart, stringLength, StandardCharsets.UTF_8);
  }

  /** Reads a string and hands its UTF-8 bytes to {@code sink}, undecoded. */
  void nextString(Utf8Sink sink) throws JsonException {
    readString();
    sink.accept(stringBytes, stringStart, stringLength);
  }

  /** Whether the last string is {@code k}, an ASCII string. */
  private boolean stringEquals(String k) {
    if (k.length() != stringLength) {
      return false;
    }
    for (int i = 0; i < stringLength; i++) {
      if (stringBytes[stringStart + i] != k.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Points {@link #stringBytes} at the next string's bytes, resolving escapes if it has any. */
  private void readString() throws JsonException {
    skipWhitespace();
    if (peek() != '"') {
      throw error(pos >= end ? "unexpected end of the JSON text" : "expected a string");
    }
    int start = ++pos;
    while (true) {
      if (pos >= end) {
        throw error("unterminated string");
      }
      int b = text[pos] & 0xFF;
      if (b == '"') {
        stringBytes = text;
        stringStart = start;
        stringLength = pos++ - start;
        return;
      }
      if (b == '\\') {
        break;
      }
      checkNotControl(b);
      pos++;
    }
    int length = pos - start;
    ensureUnescaped(length + 4);
    System.arraycopy(text, start, unescaped, 0, length);
    while (true) {
      if (pos >= end) {
        throw error("unterminated string");
      }
      int b = text[pos] & 0xFF;
      if (b == '"') {
        pos++;
        stringBytes = unescaped;
        stringStart = 0;
        stringLength = length;
        return;
      }
      ensureUnescaped(length + 4);
      if (b != '\\') {
        checkNotControl(b);
        unescaped[length++] = (byte) b;
        pos++;
        continue;
      }
      length = unescape(length);
    }
  }

  /** Resolves the escape at {@link #pos} into {@link #unescaped} at {@code at}; the new length. */
  private int unescape(int at) throws JsonException {
    pos++; // the backslash
    if (pos >= end) {
      throw error("unterminated escape");
    }
    int e = text[pos++] & 0xFF;
    int c =
        switch (e) {
          case '"', '\\', '/' -> e;
          case 'b' -> '\b';
          case 'f' -> '\f';
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          case 'u' -> codePointOfEscape();
          default -> {
            pos--;
            throw error("invalid escape \\" + describe(e));
          }
        };
    return at + encode(c, unescaped, at);
  }

  /** The code point of {@code XXXX} (after {@code \\u}), taking a second escape for a pair. */
  private int codePointOfEscape() throws JsonException {
    char u = hex4();
    if (Character.isLowSurrogate(u)) {
      throw error("unpaired surrogate escape");
    }
    if (!Character.isHighSurrogate(u)) {
      return u;
    }
    if (pos + 6 > end || text[pos] != '\\' || text[pos + 1] != 'u') {
      throw error("unpaired surrogate escape");
    }
    pos += 2;
    char low = hex4();
    if (!Character.isLowSurrogate(low)) {
      throw error("high surrogate escape not followed by a low surrogate");
    }
    return Character.toCodePoint(u, low);
  }

  private char hex4() throws JsonException {
    if (pos + 4 > end) {
      throw error("truncated \\u escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(text[pos + i], 16);
      if (d < 0) {
        throw error("invalid hex digit in \\u escape");
      }
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  /** Writes code point {@code c} as UTF-8 into {@code out} at {@code at}; the bytes written. */
  private static int encode(int c, byte[] out, int at) {
    if (c < 0x80) {
      out[at] = (byte) c;
      return 1;
    }
    if (c < 0x800) {
      out[at] = (byte) (0xC0 | c >> 6);
      out[at + 1] = (byte) (0x80 | c & 0x3F);
      return 2;
    }
    if (c < 0x10000) {
      out[at] = (byte) (0xE0 | c >> 12);
      out[at + 1] = (byte) (0x80 | c >> 6 & 0x3F);
      out[at + 2] = (byte) (0x80 | c & 0x3F);
      return 3;
    }
    out[at] = (byte) (0xF0 | c >> 18);
    out[at + 1] = (byte) (0x80 | c >> 12 & 0x3F);
    out[at + 2] = (byte) (0x80 | c >> 6 & 0x3F);
    out[at + 3] = (byte) (0x80 | c & 0x3F);
    return 4;
  }

  private void ensureUnescaped(int length) {
    if (unescaped.length < length) {
      unescaped = Arrays.copyOf(unescaped, Math.max(length, 2 * unescaped.length));
    }
  }

  private void checkNotControl(int b) throws JsonException {
    if (b < 0x20) {
      throw error("control character " + describe(b) + " inside a string (escape it)");
    }
  }

  // ---- numbers -------------------------------------------------------------------------------

  /**
   * Reads the next value if it is a plain non-negative integer below 2^63: {@code 0} or digits not
   * starting with {@code 0}, with no sign, fraction or exponent (so not {@code -0}, {@code 01},
   * {@code +1}, {@code 1.0} or {@code 1e3}). Otherwise returns -1 and consumes nothing, so the
   * caller can {@link #describeNext describe} the value in its error.
   */
  long nextPlainNonNegativeLong() {
    skipWhitespace();
    int at = pos;
    long value = 0;
    if (peek() == '0') {
      at++;
    } else if (peek() >= '1' && peek() <= '9') {
      while (at < end && isDigit(text[at])) {
        int digit = text[at] - '0';
        if (value > (Long.MAX_VALUE - digit) / 10) {
          return -1;
        }
        value = value * 10 + digit;
        at++;
      }
    } else {
      return -1;
    }
    if (at < end && (isDigit(text[at]) || text[at] == '.' || text[at] == 'e' || text[at] == 'E')) {
      return -1;
    }
    pos = at;
    return value;
  }

  /**
   * Reads {@code true}, {@code false}, {@code null} or a number (RFC 8259's grammar, at most 40
   * characters): a {@code Long} when it is an integer in range without fraction or exponent, else a
   * finite {@code Double}. A {@code Boolean} or null for the literals.
   *
   * @throws JsonException if no such value follows
   */
  Object nextScalar() throws JsonException {
    skipWhitespace();
    for (String word : new String[] {"true", "false", "null"}) {
      if (startsWith(word)) {
        pos += word.length();
        return word.equals("null") ? null : Boolean.valueOf(word);
      }
    }
    int at = pos;
    if (at < end && text[at] == '-') {
      at++;
    }
    int digits = at;
    while (at < end && isDigit(text[at])) {
      at++;
    }
    if (at == digits || (text[digits] == '0' && at - digits > 1)) {
      throw error("expected a number, true, false or null");
    }
    boolean integer = true;
    if (at < end && text[at] == '.') {
      integer = false;
      int from = ++at;
      while (at < end && isDigit(text[at])) {
        at++;
      }
      if (at == from) {
        throw error("a number needs digits after its '.'");
      }
    }
    if (at < end && (text[at] == 'e' || text[at] == 'E')) {
      integer = false;
      at++;
      if (at < end && (text[at] == '+' || text[at] == '-')) {
        at++;
      }
      int from = at;
      while (at < end && isDigit(text[at])) {
        at++;
      }
      if (at == from) {
        throw error("a number needs digits in its exponent");
      }
    }
    if (at - pos > 40) {
      throw error("a number longer than 40 characters");
    }
    String number = new String(text, pos, at - pos, StandardCharsets.US_ASCII);
    int start = pos;
    pos = at;
    if (integer) {
      try {
        return Long.parseLong(number);
      } catch (NumberFormatException e) {
        throw error("the integer " + number + " does not fit in 64 bits", start);
      }
    }
    double d = Double.parseDouble(number);
    if (!Double.isFinite(d)) {
      throw error("the number " + number + " is out of range", start);
    }
    return d;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  // ---- errors --------------------------------------------------------------------------------

  /**
   * Describes the next value for an error message, like {@code an array}, {@code null}, {@code the
   * string "x"} or {@code -0}; afterwards the position is unspecified.
   *
   * @throws JsonException if what follows is no JSON value at all
   */
  String describeNext() throws JsonException {
    skipWhitespace();
    int c = peek();
    switch (c) {
      case '{':
        return "an object";
      case '[':
        return "an array";
      case '"':
        return "the string \"" + Json.abbreviate(nextString()) + "\"";
      case -1:
        throw error("unexpected end of the JSON text");
      default:
        break;
    }
    for (String word : new String[] {"true", "false", "null"}) {
      if (startsWith(word)) {
        return word;
      }
    }
    int at = pos;
    while (at < end && "+-0123456789.eE".indexOf(text[at]) >= 0) {
      at++;
    }
    if (at == pos) {
      throw error("unexpected character " + describe(c));
    }
    return Json.abbreviate(new String(text, pos, at - pos, StandardCharsets.US_ASCII));
  }

  private boolean startsWith(String word) {
    if (pos + word.length() > end) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (text[pos + i] != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** An error at the current position. */
  JsonException error(String what) {
    return error(what, pos);
  }

  /** An error at byte {@code at}, like {@code duplicate key "w" at byte 17}. */
  JsonException error(String what, int at) {
    return new JsonException(what + " at byte " + at);
  }

  private static String describe(int b) {
    return b >= 0x20 && b < 0x7f ? "'" + (char) b + "'" : String.format("byte 0x%02X", b);
  }

  // ---- scanning ------------------------------------------------------------------------------

  private void expect(char c) throws JsonException {
    skipWhitespace();
    if (peek() != c) {
      throw error(pos >= end ? "unexpected end of the JSON text" : "expected '" + c + "'");
    }
    pos++;
  }

  /** The byte at the position, or -1 at the end. */
  private int peek() {
    return pos < end ? text[pos] & 0xFF : -1;
  }

  private void skipWhitespace() {
    while (pos < end) {
      byte c = text[pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }
}
