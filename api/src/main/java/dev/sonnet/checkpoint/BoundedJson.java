package dev.sonnet.checkpoint;

import dev.sonnet.checkpoint.JsonReader.JsonException;
import java.nio.file.Path;

/**
 * JSON documents stored in a checkpoint's metadata, for other packages of the library (the saved
 * model's graph, {@code dev.sonnet.export}): written compactly, and read back into plain data
 * (maps, lists, strings, {@code Long}, {@code Double}, {@code Boolean}, null) with the bounds of
 * the configuration reader: nesting of at most 64 levels, and the caller's limits on bytes and
 * values, checked before anything is built.
 */
public final class BoundedJson {
  private BoundedJson() {}

  /** {@code value} (maps with string keys, lists, {@code long[]}, strings, numbers, booleans). */
  public static String write(Object value) {
    return Json.write(value);
  }

  /**
   * The value {@code text} holds.
   *
   * @param file named in errors
   * @param what names the document in errors ({@code "the graph"})
   * @throws CheckpointFormatException for malformed text or a breached bound, with the byte offset
   */
  public static Object parse(Path file, String what, String text, int maxBytes, int maxValues) {
    try {
      return ConfigJson.parse(text, what, maxBytes, maxValues);
    } catch (JsonException e) {
      throw new CheckpointFormatException(file, what + ": " + e.getMessage());
    }
  }
}
