package dev.sonnet.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A header's {@code __metadata__}: an immutable, insertion-ordered map of strings kept as their
 * UTF-8 bytes back to back in one array, with an open-addressing index of ints.
 *
 * <p>Why not a {@code LinkedHashMap<String, String>}: a metadata pair can take as little as 8 bytes
 * of header ({@code "ab":"",}) but two {@code String}s and a map node take about 150 bytes, so a
 * hostile header of small pairs would cost 20 times its size. Here a pair costs its bytes plus
 * about 16 bytes of bounds and index; strings are decoded only when asked for.
 */
final class MetadataMap extends AbstractMap<String, String> {
  private final byte[] utf8;

  /** Pair {@code i}'s key is {@code utf8[bounds[2i], bounds[2i+1])}, its value runs to 2i+2. */
  private final int[] bounds;

  /** Pair index + 1 at each key's hash slot (0: empty); at most half full. */
  private final int[] slots;

  private final int size;

  private MetadataMap(Builder b) {
    this.utf8 = b.utf8;
    this.bounds = b.bounds;
    this.slots = b.slots;
    this.size = b.size;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public String get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : value(i);
  }

  @Override
  public Set<Map.Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Map.Entry<String, String> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new AbstractMap.SimpleImmutableEntry<>(key(i), value(i));
          }
        };
      }
    };
  }

  private String key(int i) {
    return decode(bounds[2 * i], bounds[2 * i + 1]);
  }

  private String value(int i) {
    return decode(bounds[2 * i + 1], bounds[2 * i + 2]);
  }

  private String decode(int from, int to) {
    return new String(utf8, from, to - from, StandardCharsets.UTF_8);
  }

  private int indexOf(Object key) {
    if (!(key instanceof String s)) {
      return -1;
    }
    byte[] k = s.getBytes(StandardCharsets.UTF_8);
    return find(utf8, bounds, slots, k, 0, k.length);
  }

  /** The pair whose key is {@code key[from, to)}, or -1. */
  private static int find(byte[] utf8, int[] bounds, int[] slots, byte[] key, int from, int to) {
    int mask = slots.length - 1;
    for (int s = hash(key, from, to) & mask; slots[s] != 0; s = (s + 1) & mask) {
      int i = slots[s] - 1;
      if (Arrays.equals(utf8, bounds[2 * i], bounds[2 * i + 1], key, from, to)) {
        return i;
      }
    }
    return -1;
  }

  private static int hash(byte[] bytes, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + bytes[i];
    }
    return h ^ (h >>> 16);
  }

  /**
   * Collects pairs as the header is read: {@link #beginKey}, the key's bytes (it is the reader's
   * {@link JsonReader.Utf8Sink}), {@link #beginValue}, the value's bytes, then {@link #endPair},
   * which refuses a key seen before.
   */
  static final class Builder implements JsonReader.Utf8Sink {
    private byte[] utf8 = new byte[64];
    private int length;
    private int[] bounds = new int[16];
    private int[] slots = new int[16];
    private int size;

    /** Where the pending pair's key ends, once its value has begun; -1 before. */
    private int keyEnd = -1;

    /** Starts a pair; its key's bytes follow. */
    void beginKey() {
      if (bounds.length < 2 * size + 3) {
        bounds = Arrays.copyOf(bounds, 2 * bounds.length);
      }
      bounds[2 * size] = length;
      keyEnd = -1;
    }

    /** Ends the key; the value's bytes follow. */
    void beginValue() {
      bounds[2 * size + 1] = length;
      keyEnd = length;
    }

    /** The key of the pair being read (or just refused), for an error message. */
    String pendingKey() {
      int from = bounds[2 * size];
      return new String(utf8, from, (keyEnd < 0 ? length : keyEnd) - from, StandardCharsets.UTF_8);
    }

    /** Ends the pair; false (and the pair is dropped) if its key came before. */
    boolean endPair() {
      bounds[2 * size + 2] = length;
      if (find(utf8, bounds, slots, utf8, bounds[2 * size], bounds[2 * size + 1]) >= 0) {
        return false;
      }
      size++;
      if (2 * size > slots.length) {
        slots = new int[2 * slots.length];
        for (int i = 0; i < size - 1; i++) {
          insert(i);
        }
      }
      insert(size - 1);
      return true;
    }

    private void insert(int pair) {
      int mask = slots.length - 1;
      int s = hash(utf8, bounds[2 * pair], bounds[2 * pair + 1]) & mask;
      while (slots[s] != 0) {
        s = (s + 1) & mask;
      }
      slots[s] = pair + 1;
    }

    @Override
    public void accept(byte[] bytes, int offset, int count) {
      if (utf8.length - length < count) {
        utf8 = Arrays.copyOf(utf8, Math.max(length + count, 2 * utf8.length));
      }
      System.arraycopy(bytes, offset, utf8, length, count);
      length += count;
    }

    /** The pairs read, in order. */
    Map<String, String> build() {
      return size == 0 ? Map.of() : new MetadataMap(this);
    }
  }
}
