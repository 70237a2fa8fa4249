package dev.sonnet.checkpoint;

import dev.sonnet.utils.ProtoReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A reader of a LevelDB table (SSTable), the format of a TensorFlow checkpoint's {@code .index}
 * file: data blocks of prefix-compressed key/value entries, an index block pointing at them, and a
 * 48-byte footer ending in a magic number. Every block's stored CRC32C (masked, over the block and
 * its compression byte) is checked, blocks compressed with Snappy are decoded within bounds, and
 * keys must be strictly increasing, as the format requires. The whole file is read into memory: it
 * is bounded by {@link TensorBundle#MAX_INDEX_BYTES}, and so is everything decoded from it.
 *
 * <p>The format is LevelDB's {@code table_format.md}; TensorFlow writes it with its own copy of
 * LevelDB's table code ({@code tensorflow/tsl/lib/io/table*}).
 */
final class LevelDbTable {
  /** The footer's magic number, little-endian: {@code 0xdb4775248b80fb57}. */
  static final long MAGIC = 0xdb4775248b80fb57L;

  static final int FOOTER_BYTES = 48;
  private static final int TRAILER_BYTES = 5;
  private static final int NO_COMPRESSION = 0;
  private static final int SNAPPY = 1;

  /** What an entry costs beyond its bytes (two arrays and a record), for the memory bound. */
  private static final int ENTRY_OVERHEAD_BYTES = 64;

  /** One key and its value, as bytes. */
  record Entry(byte[] key, byte[] value) {}

  private final Path file;
  private final byte[] bytes;
  private final long maxDecoded;
  private long decoded;

  private LevelDbTable(Path file, byte[] bytes, long maxDecoded) {
    this.file = file;
    this.bytes = bytes;
    this.maxDecoded = maxDecoded;
  }

  /**
   * Every entry of the table in {@code bytes} (the whole file), in key order.
   *
   * @throws CheckpointFormatException naming {@code file} if it is not a valid table
   */
  static List<Entry> read(Path file, byte[] bytes, long maxDecoded) {
    return new LevelDbTable(file, bytes, maxDecoded).entries();
  }

  /** The masked CRC32C that LevelDB and TensorFlow store: rotated right by 15, plus a constant. */
  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }

  private List<Entry> entries() {
    if (bytes.length < FOOTER_BYTES) {
      throw error(
          "the file is "
              + bytes.length
              + " bytes long, shorter than the "
              + FOOTER_BYTES
              + "-byte footer of a table; it is empty or truncated");
    }
    int footer = bytes.length - FOOTER_BYTES;
    long magic = 0;
    for (int i = 7; i >= 0; i--) {
      magic = magic << 8 | (bytes[footer + 40 + i] & 0xFF);
    }
    if (magic != MAGIC) {
      throw error(
          "the last 8 bytes are not the table magic number 0x"
              + Long.toHexString(MAGIC)
              + " (found 0x"
              + Long.toHexString(magic)
              + "); it is not a TensorFlow checkpoint index, or it is truncated");
    }
    int[] at = {footer};
    long[] metaIndex = handle(at, footer + 40, "the footer's metaindex handle");
    long[] index = handle(at, footer + 40, "the footer's index handle");
    checkHandle(metaIndex, footer, "the metaindex block");
    byte[] indexBlock = block(index, footer, "the index block");
    List<Entry> out = new ArrayList<>();
    byte[] lastKey = null;
    for (Entry idx : blockEntries(indexBlock, "the index block")) {
      int[] p = {0};
      long[] h = handle(idx.value(), p, "an index entry's block handle");
      if (p[0] != idx.value().length) {
        throw error("an index entry's block handle has trailing bytes");
      }
      byte[] data = block(h, footer, "the data block at byte " + h[0]);
      for (Entry e : blockEntries(data, "the data block at byte " + h[0])) {
        if (lastKey != null && Arrays.compareUnsigned(lastKey, e.key()) >= 0) {
          throw error(
              "keys are not strictly increasing: \""
                  + printable(e.key())
                  + "\" follows \""
                  + printable(lastKey)
                  + "\"");
        }
        lastKey = e.key();
        out.add(e);
      }
    }
    return out;
  }

  private long[] handle(int[] at, int end, String what) {
    return handle(bytes, at, end, what);
  }

  private long[] handle(byte[] b, int[] at, String what) {
    return handle(b, at, b.length, what);
  }

  private long[] handle(byte[] b, int[] at, int end, String what) {
    long offset = ProtoReader.varint(b, at, end);
    long size = offset < 0 ? -1 : ProtoReader.varint(b, at, end);
    if (offset < 0 || size < 0) {
      throw error(what + " is not two valid varints");
    }
    return new long[] {offset, size};
  }

  private void checkHandle(long[] h, int limit, String what) {
    if (h[0] > limit || h[1] > limit - h[0] - TRAILER_BYTES || h[1] < 0) {
      throw error(
          what
              + " at bytes ["
              + h[0]
              + ", "
              + h[0]
              + " + "
              + h[1]
              + ") with its 5-byte trailer does not fit before the footer at byte "
              + limit);
    }
  }

  /** The decoded contents of the block at {@code h}, its CRC checked. */
  private byte[] block(long[] h, int limit, String what) {
    checkHandle(h, limit, what);
    int start = (int) h[0];
    int size = (int) h[1];
    int type = bytes[start + size] & 0xFF;
    int stored = littleInt(bytes, start + size + 1);
    CRC32C crc = new CRC32C();
    crc.update(bytes, start, size + 1);
    int actual = mask((int) crc.getValue());
    if (actual != stored) {
      throw error(
          what
              + " fails its CRC32C check (stored 0x"
              + Integer.toHexString(stored)
              + ", computed 0x"
              + Integer.toHexString(actual)
              + "); the file is corrupt");
    }
    byte[] contents;
    if (type == NO_COMPRESSION) {
      contents = Arrays.copyOfRange(bytes, start, start + size);
    } else if (type == SNAPPY) {
      long room = Math.min(Integer.MAX_VALUE - 8, maxDecoded - decoded);
      Snappy.Result r = Snappy.decompress(bytes, start, start + size, (int) room);
      if (r.problem() != null) {
        throw error(what + ": " + r.problem());
      }
      contents = r.bytes();
    } else {
      throw error(
          what + " has compression type " + type + "; only none (0) and Snappy (1) are read");
    }
    decoded += contents.length;
    if (decoded > maxDecoded) {
      throw error("its blocks decode to more than " + maxDecoded + " bytes");
    }
    return contents;
  }

  /** The entries of one decoded block, keys expanded from their shared prefixes. */
  private List<Entry> blockEntries(byte[] b, String what) {
    if (b.length < 4) {
      throw error(what + " is " + b.length + " bytes, too short for its restart count");
    }
    long restarts = littleInt(b, b.length - 4) & 0xFFFF_FFFFL;
    if (restarts > (b.length - 4) / 4) {
      throw error(what + " declares " + restarts + " restart points, more than fit in it");
    }
    int limit = b.length - 4 - (int) restarts * 4;
    List<Entry> out = new ArrayList<>();
    byte[] key = new byte[0];
    int[] at = {0};
    while (at[0] < limit) {
      long shared = ProtoReader.varint(b, at, limit);
      long unshared = shared < 0 ? -1 : ProtoReader.varint(b, at, limit);
      long valueLength = unshared < 0 ? -1 : ProtoReader.varint(b, at, limit);
      if (valueLength < 0) {
        throw error(what + ": an entry's lengths at byte " + at[0] + " are not valid varints");
      }
      if (shared > key.length
          || unshared > limit - at[0]
          || valueLength > limit - at[0] - unshared) {
        throw error(
            what
                + ": an entry declares "
                + shared
                + " shared key bytes (the previous key has "
                + key.length
                + "), "
                + unshared
                + " more and a "
                + valueLength
                + "-byte value, past the end of the block's "
                + limit
                + " entry bytes");
      }
      // Each entry's key is a full copy: charge it (and the objects' overhead) to the budget, so
      // a block of long shared prefixes cannot make memory grow with the square of its size.
      decoded += shared + unshared + valueLength + ENTRY_OVERHEAD_BYTES;
      if (decoded > maxDecoded) {
        throw error("its entries expand to more than " + maxDecoded + " bytes");
      }
      byte[] k = Arrays.copyOf(key, (int) (shared + unshared));
      System.arraycopy(b, at[0], k, (int) shared, (int) unshared);
      at[0] += (int) unshared;
      byte[] v = Arrays.copyOfRange(b, at[0], at[0] + (int) valueLength);
      at[0] += (int) valueLength;
      out.add(new Entry(k, v));
      key = k;
    }
    return out;
  }

  static int littleInt(byte[] b, int at) {
    return (b[at] & 0xFF)
        | (b[at + 1] & 0xFF) << 8
        | (b[at + 2] & 0xFF) << 16
        | (b[at + 3] & 0xFF) << 24;
  }

  /** A key for an error message: printable ASCII kept, other bytes as {@code \xNN}. */
  static String printable(byte[] key) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(key.length, 200); i++) {
      int c = key[i] & 0xFF;
      if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"') {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    return key.length > 200 ? sb + "..." : sb.toString();
  }

  private CheckpointFormatException error(String problem) {
    return new CheckpointFormatException(file, problem);
  }
}
