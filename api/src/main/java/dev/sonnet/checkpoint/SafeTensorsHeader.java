package dev.sonnet.checkpoint;

import dev.sonnet.checkpoint.JsonReader.JsonException;
import dev.sonnet.checkpoint.SafeTensorsFile.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors header, parsed and checked: its tensors as compact {@link Entry} records in header
 * order and by name, and its {@code __metadata__}.
 *
 * <p>It reads the header's bytes once, with a {@link JsonReader}, straight into what it keeps: a
 * name {@code String}, a dtype constant, a {@code long[]} of dims and two offsets per tensor, and
 * the metadata's bytes ({@link MetadataMap}). Field names, dtypes and numbers are matched in place.
 * So parsing allocates at most about 6 times the header's size plus about 200 bytes per tensor,
 * whatever the header holds; a generic JSON tree of maps, lists and boxed numbers took over 20
 * times the header's size.
 *
 * <p>Every check is here: the JSON syntax, field names and types, dtype names, dims and offsets
 * (plain non-negative integers: not {@code -0}, {@code 01}, {@code 1.0} or {@code 1e3}), each range
 * against its dtype and shape and against the data section, duplicate names, and that the ranges
 * tile the data section without overlaps or gaps. A problem is a {@link CheckpointFormatException}
 * naming the file, the tensor and the numbers involved.
 */
final class SafeTensorsHeader {
  private static final String[] METADATA = {SafeTensorsFile.METADATA_KEY};
  private static final String DTYPE = "dtype";
  private static final String SHAPE = "shape";
  private static final String OFFSETS = "data_offsets";
  private static final String[] FIELDS = {DTYPE, SHAPE, OFFSETS};
  private static final long[] NO_DIMS = new long[0];
  private static final Comparator<Entry> BY_RANGE =
      Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end);

  /** The tensors in header order. */
  final List<Entry> entries;

  /** The tensors by name. */
  final Map<String, Entry> byName;

  /** The {@code __metadata__} strings; empty if there are none. */
  final Map<String, String> metadata;

  private SafeTensorsHeader(
      List<Entry> entries, Map<String, Entry> byName, Map<String, String> metadata) {
    this.entries = entries;
    this.byName = byName;
    this.metadata = metadata;
  }

  /**
   * Parses and checks {@code header[0, length)} of {@code file}, whose data section holds {@code
   * dataLength} bytes.
   *
   * @throws CheckpointFormatException if the header is not a valid safetensors header for it
   */
  static SafeTensorsHeader parse(Path file, byte[] header, int length, long dataLength) {
    int malformed = Utf8.firstMalformedByte(header, length);
    if (malformed >= 0) {
      throw new CheckpointFormatException(
          file, "the header is not valid UTF-8 text (byte " + malformed + " of the header)");
    }
    if (length == 0 || header[0] != '{') {
      throw new CheckpointFormatException(
          file, "the header does not start with '{'; a" + " safetensors header is a JSON object");
    }
    try {
      return new Parser(file, new JsonReader(header, length), dataLength).header();
    } catch (JsonException e) {
      throw new CheckpointFormatException(
          file, "the header is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** The state of one parse. */
  private static final class Parser {
    private final Path file;
    private final JsonReader json;
    private final long dataLength;

    /** Numbers of the array being read; grows to the longest shape. */
    private long[] numbers = new long[8];

    Parser(Path file, JsonReader json, long dataLength) {
      this.file = file;
      this.json = json;
      this.dataLength = dataLength;
    }

    SafeTensorsHeader header() throws JsonException {
      List<Entry> entries = new ArrayList<>();
      Map<String, Entry> byName = new HashMap<>();
      Map<String, String> metadata = null;
      json.beginObject();
      for (boolean more = json.firstItem('}'); more; more = json.nextItem('}')) {
        int keyAt = json.nextOffset();
        String name = json.nextString(METADATA);
        json.expectColon();
        if (name.equals(SafeTensorsFile.METADATA_KEY)) {
          if (metadata != null) {
            throw json.error("duplicate key \"" + name + "\"", keyAt);
          }
          metadata = metadata();
        } else {
          Entry e = entry(name);
          if (byName.putIfAbsent(name, e) != null) {
            throw json.error("duplicate key \"" + Json.abbreviate(name) + "\"", keyAt);
          }
          entries.add(e);
        }
      }
      json.endOfText();
      checkCoverage(entries);
      return new SafeTensorsHeader(
          Collections.unmodifiableList(entries),
          Collections.unmodifiableMap(byName),
          metadata == null ? Map.of() : metadata);
    }

    private Map<String, String> metadata() throws JsonException {
      if (!json.nextIs('{')) {
        throw format(
            "\""
                + SafeTensorsFile.METADATA_KEY
                + "\" must be a JSON object of"
                + " strings, got "
                + json.describeNext());
      }
      MetadataMap.Builder pairs = new MetadataMap.Builder();
      json.beginObject();
      for (boolean more = json.firstItem('}'); more; more = json.nextItem('}')) {
        int keyAt = json.nextOffset();
        pairs.beginKey();
        json.nextString(pairs);
        json.expectColon();
        if (!json.nextIs('"')) {
          throw format(
              "metadata entry \""
                  + Json.abbreviate(pairs.pendingKey())
                  + "\" must be a string, got "
                  + json.describeNext());
        }
        pairs.beginValue();
        json.nextString(pairs);
        if (!pairs.endPair()) {
          throw json.error(
              "duplicate key \""
                  + Json.abbreviate(pairs.pendingKey())
                  + "\" in \""
                  + SafeTensorsFile.METADATA_KEY
                  + "\"",
              keyAt);
        }
      }
      return pairs.build();
    }

    private Entry entry(String name) throws JsonException {
      if (name.isEmpty()) {
        throw format("a tensor has an empty name");
      }
      if (!json.nextIs('{')) {
        throw format(
            tensor(name) + " must be described by a JSON object, got " + json.describeNext());
      }
      FileDType dtype = null;
      long[] dims = null;
      long begin = -1;
      long end = -1;
      json.beginObject();
      for (boolean more = json.firstItem('}'); more; more = json.nextItem('}')) {
        int keyAt = json.nextOffset();
        String field = json.nextString(FIELDS);
        json.expectColon();
        boolean seen;
        switch (field) {
          case DTYPE -> {
            seen = dtype != null;
            dtype = dtype(name);
          }
          case SHAPE -> {
            seen = dims != null;
            int rank = numbers(name, SHAPE, -1);
            dims = rank == 0 ? NO_DIMS : Arrays.copyOf(numbers, rank);
          }
          case OFFSETS -> {
            seen = begin >= 0;
            numbers(name, OFFSETS, 2);
            begin = numbers[0];
            end = numbers[1];
          }
          default ->
              throw format(
                  tensor(name)
                      + " has an unknown field \""
                      + Json.abbreviate(field)
                      + "\"; expected dtype, shape and data_offsets");
        }
        if (seen) {
          throw json.error("duplicate key \"" + field + "\"", keyAt);
        }
      }
      if (dtype == null) {
        throw format(tensor(name) + " needs a string \"dtype\", got nothing");
      }
      if (dims == null || begin < 0) {
        throw format(
            tensor(name)
                + " needs a \""
                + (dims == null ? SHAPE : OFFSETS)
                + "\" array of integers, got nothing");
      }
      checkRange(name, dtype, dims, begin, end);
      return new Entry(name, dtype, dims, begin, end);
    }

    private FileDType dtype(String name) throws JsonException {
      if (!json.nextIs('"')) {
        throw format(tensor(name) + " needs a string \"dtype\", got " + json.describeNext());
      }
      String dtypeName = json.nextString(FileDType.NAMES);
      FileDType dtype = FileDType.named(dtypeName);
      if (dtype == null) {
        throw format(
            tensor(name)
                + " has unknown dtype \""
                + Json.abbreviate(dtypeName)
                + "\"; safetensors dtypes are "
                + Arrays.toString(FileDType.NAMES));
      }
      return dtype;
    }

    /**
     * Reads an array of plain non-negative integers into {@link #numbers}; their count, which must
     * be {@code length} unless that is -1.
     */
    private int numbers(String name, String field, int length) throws JsonException {
      if (!json.nextIs('[')) {
        throw format(
            tensor(name)
                + " needs a \""
                + field
                + "\" array of integers, got "
                + json.describeNext());
      }
      int n = 0;
      json.beginArray();
      for (boolean more = json.firstItem(']'); more; more = json.nextItem(']')) {
        long v = json.nextPlainNonNegativeLong();
        if (v < 0) {
          throw format(
              tensor(name)
                  + " has "
                  + field
                  + "["
                  + n
                  + "] = "
                  + json.describeNext()
                  + "; it must be a non-negative integer, written as plain digits (no sign, leading"
                  + " zero, fraction or exponent) below 2^63");
        }
        if (n == numbers.length) {
          numbers = Arrays.copyOf(numbers, 2 * n);
        }
        numbers[n++] = v;
      }
      if (length >= 0 && n != length) {
        throw format(
            tensor(name) + " has a \"" + field + "\" of " + n + " numbers; it needs " + length);
      }
      return n;
    }

    /** The byte range must be as long as dtype and shape say, and inside the data section. */
    private void checkRange(String name, FileDType dtype, long[] dims, long begin, long end) {
      long elements = 1;
      long bytes;
      try {
        for (long d : dims) {
          elements = Math.multiplyExact(elements, d);
        }
        bytes = Math.multiplyExact(elements, (long) dtype.byteSize);
      } catch (ArithmeticException e) {
        throw format(
            tensor(name)
                + " has shape "
                + Arrays.toString(dims)
                + ", whose size in bytes does not fit in 64 bits");
      }
      if (begin > end) {
        throw format(
            tensor(name)
                + " has data_offsets ["
                + begin
                + ", "
                + end
                + "], which end before they begin");
      }
      if (end - begin != bytes) {
        throw format(
            tensor(name)
                + " has data_offsets ["
                + begin
                + ", "
                + end
                + "] ("
                + (end - begin)
                + " bytes), but "
                + dtype
                + Arrays.toString(dims)
                + " needs "
                + elements
                + " x "
                + dtype.byteSize
                + " = "
                + bytes
                + " bytes");
      }
      if (end > dataLength) {
        throw format(
            tensor(name)
                + " has data_offsets ["
                + begin
                + ", "
                + end
                + "], past the end of the data section, which holds "
                + dataLength
                + " bytes; the file is truncated or the header is wrong");
      }
    }

    /** The ranges must tile {@code [0, dataLength)}: no overlap, no gap, nothing left over. */
    private void checkCoverage(List<Entry> entries) {
      Entry[] sorted = entries.toArray(new Entry[0]);
      Arrays.sort(sorted, BY_RANGE);
      long at = 0;
      Entry previous = null;
      for (Entry e : sorted) {
        if (e.begin() < at) {
          throw format(
              "tensors \""
                  + Json.abbreviate(previous.name())
                  + "\" (bytes ["
                  + previous.begin()
                  + ", "
                  + previous.end()
                  + ")) and \""
                  + Json.abbreviate(e.name())
                  + "\" (bytes ["
                  + e.begin()
                  + ", "
                  + e.end()
                  + ")) overlap");
        }
        if (e.begin() > at) {
          throw format(
              "bytes ["
                  + at
                  + ", "
                  + e.begin()
                  + ") of the data section belong to no"
                  + " tensor; the header does not describe this data");
        }
        at = e.end();
        if (e.end() > e.begin() || previous == null) {
          previous = e;
        }
      }
      if (at != dataLength) {
        throw format(
            "the tensors end at byte "
                + at
                + " of the data section but it holds "
                + dataLength
                + " bytes; the header does not describe this data");
      }
    }

    private CheckpointFormatException format(String problem) {
      return new CheckpointFormatException(file, problem);
    }

    /** Names a tensor in a message; built only when one is thrown. */
    private static String tensor(String name) {
      return "tensor \"" + Json.abbreviate(name) + "\"";
    }
  }
}
