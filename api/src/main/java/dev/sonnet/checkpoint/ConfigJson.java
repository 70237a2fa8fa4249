package dev.sonnet.checkpoint;

import dev.sonnet.checkpoint.JsonReader.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a module configuration's JSON into plain data (maps, lists, strings, {@code Long}, {@code
 * Double}, {@code Boolean}, null) with hard bounds, because the text comes from a file: at most
 * {@link #MAX_DEPTH} nested objects and arrays, {@link #MAX_VALUES} values in all, and {@link
 * #MAX_BYTES} bytes; duplicate keys are errors. Any breach is a {@link JsonException} with the byte
 * offset, before anything is built from the data.
 *
 * <p>{@link JsonReader} does the lexing; this class adds the one recursion, bounded by depth.
 */
final class ConfigJson {
  /** Deeper than any library configuration (a ResNet nests about 8 levels). */
  static final int MAX_DEPTH = 64;

  /** About a thousand modules' worth of settings. */
  static final int MAX_VALUES = 100_000;

  /** A configuration is small; the tensors are elsewhere in the file. */
  static final int MAX_BYTES = 4 << 20;

  private final JsonReader reader;
  private final int maxValues;
  private int values;

  private ConfigJson(JsonReader reader, int maxValues) {
    this.reader = reader;
    this.maxValues = maxValues;
  }

  /** The value {@code text} holds, which must be all of it. */
  static Object parse(String text) throws JsonException {
    return parse(text, "the configuration", MAX_BYTES, MAX_VALUES);
  }

  /**
   * The value {@code text} ({@code what}, in messages) holds, with at most {@code maxBytes} bytes
   * and {@code maxValues} values.
   */
  static Object parse(String text, String what, int maxBytes, int maxValues) throws JsonException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxBytes) {
      throw new JsonException(
          what + " has " + bytes.length + " bytes, more than the " + maxBytes + " allowed");
    }
    ConfigJson json = new ConfigJson(new JsonReader(bytes, bytes.length), maxValues);
    Object value = json.value(0);
    json.reader.endOfText();
    return value;
  }

  private Object value(int depth) throws JsonException {
    if (++values > maxValues) {
      throw reader.error("more than " + maxValues + " values");
    }
    if (reader.nextIs('{') || reader.nextIs('[')) {
      if (depth >= MAX_DEPTH) {
        throw reader.error("nesting deeper than " + MAX_DEPTH + " levels");
      }
      return reader.nextIs('{') ? object(depth + 1) : array(depth + 1);
    }
    if (reader.nextIs('"')) {
      return reader.nextString();
    }
    return reader.nextScalar();
  }

  private Map<String, Object> object(int depth) throws JsonException {
    reader.beginObject();
    Map<String, Object> out = new LinkedHashMap<>();
    if (reader.firstItem('}')) {
      do {
        int at = reader.nextOffset();
        String key = reader.nextString();
        reader.expectColon();
        if (out.containsKey(key)) {
          throw reader.error("duplicate key \"" + Json.abbreviate(key) + "\"", at);
        }
        out.put(key, value(depth));
      } while (reader.nextItem('}'));
    }
    return out;
  }

  private List<Object> array(int depth) throws JsonException {
    reader.beginArray();
    List<Object> out = new ArrayList<>();
    if (reader.firstItem(']')) {
      do {
        out.add(value(depth));
      } while (reader.nextItem(']'));
    }
    return out;
  }
}
