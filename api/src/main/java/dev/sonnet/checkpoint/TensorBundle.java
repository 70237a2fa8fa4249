package dev.sonnet.checkpoint;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.utils.ProtoFormatException;
import dev.sonnet.utils.ProtoReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * An open TensorFlow checkpoint in the TensorBundle format, the format of {@code
 * tf.train.Checkpoint} (and so of Sonnet 2): {@code <prefix>.index}, a LevelDB table of one {@code
 * BundleHeaderProto} (under the empty key) and one {@code BundleEntryProto} per tensor, and the
 * tensors' bytes in {@code <prefix>.data-00000-of-0000N} shards.
 *
 * <p>The files are never trusted. The index is at most {@link #MAX_INDEX_BYTES} long, and so is
 * everything decoded from it; each block's CRC32C is checked ({@link LevelDbTable}); every entry's
 * dtype, shape, shard and byte range are checked when the bundle is opened (the range must lie in
 * its shard and match the dtype and shape); and each tensor's bytes are checked against the entry's
 * CRC32C when read. Any problem is a {@link CheckpointFormatException} naming the file and the
 * numbers. Sliced (partitioned) variables and big-endian bundles are refused with a clear error.
 *
 * <p>Tensor-based checkpoints of TensorFlow 1 have the same format; object-based ones (TensorFlow
 * 2) also hold the object graph under {@link #OBJECT_GRAPH_KEY}, read by {@link #objectGraph()},
 * which maps attribute paths such as {@code module/_layers/0/w} to the tensors' keys. To restore a
 * Sonnet module from one, see {@link SonnetCheckpoints}.
 *
 * <pre>{@code
 * try (TensorBundle bundle = TensorBundle.open(Path.of("ckpt/checkpoint-1"))) {
 *   for (TensorBundle.Entry e : bundle.entries()) {
 *     System.out.println(e);   // module/w/.ATTRIBUTES/VARIABLE_VALUE: DT_FLOAT[1, 1] in shard 0 ...
 *   }
 *   HostArray w = bundle.read("module/w/.ATTRIBUTES/VARIABLE_VALUE");
 * }
 * }</pre>
 */
public final class TensorBundle implements AutoCloseable {
  /** The largest index file accepted, and the most its blocks may decode to (64 MiB). */
  public static final int MAX_INDEX_BYTES = 64 << 20;

  /** The key of the serialized {@code TrackableObjectGraph} in object-based checkpoints. */
  public static final String OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";

  /** The most shards a bundle may declare. */
  static final int MAX_SHARDS = 1 << 16;

  /** The newest bundle format version this reader knows ({@code kTensorBundleVersion}). */
  static final int BUNDLE_VERSION = 1;

  /** The most dims a tensor may have (TensorFlow's own limit is 254; no variable comes close). */
  private static final int MAX_RANK = 64;

  /** The most elements a string tensor may have (the object graph is one scalar string). */
  private static final long MAX_STRING_ELEMENTS = 1 << 20;

  /** One tensor as the index describes it. */
  public static final class Entry {
    private final String key;
    private final TfDType dtype;
    private final long[] dims;
    private final int shard;
    private final long offset;
    private final long size;
    private final int crc32c;

    Entry(String key, TfDType dtype, long[] dims, int shard, long offset, long size, int crc) {
      this.key = key;
      this.dtype = dtype;
      this.dims = dims;
      this.shard = shard;
      this.offset = offset;
      this.size = size;
      this.crc32c = crc;
    }

    /** The checkpoint key, like {@code module/w/.ATTRIBUTES/VARIABLE_VALUE}. */
    public String key() {
      return key;
    }

    /** TensorFlow's name of the dtype, like {@code DT_FLOAT}. */
    public String fileDType() {
      return dtype.name();
    }

    /** The dtype it is read as, or null if this library cannot load it. */
    public DType dtype() {
      return dtype.sonnet;
    }

    /** The dimensions as the index declares them. */
    public long[] dims() {
      return dims.clone();
    }

    /** The shape; the index was checked to fit a tensor when opened. */
    public Shape shape() {
      int[] d = new int[dims.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = (int) dims[i];
      }
      return Shape.of(d);
    }

    /** The number of elements. */
    public long elements() {
      long n = 1;
      for (long d : dims) {
        n *= d;
      }
      return n;
    }

    /** The shard holding the bytes. */
    public int shard() {
      return shard;
    }

    /** Where the bytes start in the shard. */
    public long offset() {
      return offset;
    }

    /** How many bytes. */
    public long size() {
      return size;
    }

    TfDType type() {
      return dtype;
    }

    /**
     * Like {@code module/w/.ATTRIBUTES/VARIABLE_VALUE: DT_FLOAT[1, 1] in shard 0, bytes [0, 4)}.
     */
    @Override
    public String toString() {
      return key
          + ": "
          + dtype
          + Arrays.toString(dims)
          + " in shard "
          + shard
          + ", bytes ["
          + offset
          + ", "
          + (offset + size)
          + ")";
    }
  }

  private final Path prefix;
  private final Path index;
  private final int numShards;
  private final List<Entry> entries;
  private final Map<String, Entry> byKey;
  private final FileChannel[] shards;
  private final long[] shardSizes;
  private TrackableObjectGraph objectGraph;

  private TensorBundle(Path prefix, Path index, int numShards, List<Entry> entries) {
    this.prefix = prefix;
    this.index = index;
    this.numShards = numShards;
    this.entries = Collections.unmodifiableList(entries);
    Map<String, Entry> m = new LinkedHashMap<>();
    for (Entry e : entries) {
      m.put(e.key, e);
    }
    this.byKey = m;
    this.shards = new FileChannel[numShards];
    this.shardSizes = new long[numShards];
  }

  /**
   * Opens the checkpoint at {@code prefix} (the path without {@code .index}, like {@code
   * ckpt/checkpoint-1}) and checks its index and the size of every shard it names.
   *
   * @throws CheckpointFormatException if a file is not a valid bundle
   * @throws CheckpointException if a file is missing or cannot be read
   */
  public static TensorBundle open(Path prefix) {
    Path index = Path.of(prefix + ".index");
    byte[] bytes = readIndex(index);
    List<LevelDbTable.Entry> table = LevelDbTable.read(index, bytes, MAX_INDEX_BYTES);
    if (table.isEmpty() || table.get(0).key().length != 0) {
      throw new CheckpointFormatException(
          index, "the table has no header entry (the empty key); it is not a tensor bundle");
    }
    int numShards;
    try {
      numShards = readHeader(index, table.get(0).value());
    } catch (ProtoFormatException e) {
      throw new CheckpointFormatException(index, "the header is malformed: " + e.getMessage(), e);
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 1; i < table.size(); i++) {
      LevelDbTable.Entry t = table.get(i);
      String key = new String(t.key(), StandardCharsets.UTF_8);
      try {
        entries.add(readEntry(index, key, t.value(), numShards));
      } catch (ProtoFormatException e) {
        throw new CheckpointFormatException(
            index, "the entry of \"" + key + "\" is malformed: " + e.getMessage(), e);
      }
    }
    TensorBundle b = new TensorBundle(prefix, index, numShards, entries);
    boolean ok = false;
    try {
      b.openShards();
      ok = true;
      return b;
    } finally {
      if (!ok) {
        b.close();
      }
    }
  }

  private static byte[] readIndex(Path index) {
    try (FileChannel ch = FileChannel.open(index, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > MAX_INDEX_BYTES) {
        throw new CheckpointFormatException(
            index,
            "the index is "
                + size
                + " bytes, more than the "
                + MAX_INDEX_BYTES
                + " this reader accepts; it is not a checkpoint index");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining()) {
        if (ch.read(buf, buf.position()) < 0) {
          throw new CheckpointFormatException(index, "the index shrank while it was read");
        }
      }
      return buf.array();
    } catch (NoSuchFileException e) {
      throw new CheckpointException(
          index
              + ": no such file; a TensorFlow checkpoint is named by its prefix (like"
              + " ckpt/checkpoint-1, for ckpt/checkpoint-1.index and its .data-* shards)",
          e);
    } catch (IOException | SecurityException e) {
      throw new CheckpointException(index + ": cannot read it: " + e, e);
    }
  }

  /** Checks the {@code BundleHeaderProto}; returns the number of shards. */
  private static int readHeader(Path index, byte[] value) {
    ProtoReader in = new ProtoReader(value, "BundleHeaderProto");
    long numShards = 0;
    int endianness = 0;
    long minConsumer = 0;
    for (int f; (f = in.next()) != -1; ) {
      switch (f) {
        case 1 -> numShards = in.int64();
        case 2 -> endianness = in.int32();
        case 3 -> {
          ProtoReader v = in.message("version");
          for (int g; (g = v.next()) != -1; ) {
            if (g == 2) {
              minConsumer = v.int64();
            } else {
              v.skip();
            }
          }
        }
        default -> in.skip();
      }
    }
    if (numShards < 1 || numShards > MAX_SHARDS) {
      throw new CheckpointFormatException(
          index, "the header declares " + numShards + " shards, outside [1, " + MAX_SHARDS + "]");
    }
    if (endianness != 0) {
      throw new CheckpointFormatException(
          index,
          "the bundle is big-endian (endianness "
              + endianness
              + "); only little-endian bundles, which every common machine writes, are read");
    }
    if (minConsumer > BUNDLE_VERSION) {
      throw new CheckpointFormatException(
          index,
          "the bundle needs a reader of version "
              + minConsumer
              + " or later; this one is version "
              + BUNDLE_VERSION);
    }
    return (int) numShards;
  }

  private static Entry readEntry(Path index, String key, byte[] value, int numShards) {
    ProtoReader in = new ProtoReader(value, "BundleEntryProto");
    int dtypeNumber = 0;
    List<Long> dims = new ArrayList<>();
    boolean unknownRank = false;
    long shard = 0;
    long offset = 0;
    long size = 0;
    int crc = 0;
    boolean hasCrc = false;
    for (int f; (f = in.next()) != -1; ) {
      switch (f) {
        case 1 -> dtypeNumber = in.int32();
        case 2 -> {
          ProtoReader s = in.message("shape");
          for (int g; (g = s.next()) != -1; ) {
            if (g == 2) {
              ProtoReader d = s.message("dim");
              long dim = 0;
              for (int h; (h = d.next()) != -1; ) {
                if (h == 1) {
                  dim = d.int64();
                } else {
                  d.skip();
                }
              }
              if (dims.size() >= MAX_RANK) {
                throw bad(index, key, "its shape has more than " + MAX_RANK + " dims");
              }
              dims.add(dim);
            } else if (g == 3) {
              unknownRank = s.bool();
            } else {
              s.skip();
            }
          }
        }
        case 3 -> shard = in.int64();
        case 4 -> offset = in.int64();
        case 5 -> size = in.int64();
        case 6 -> {
          crc = in.fixed32();
          hasCrc = true;
        }
        case 7 ->
            throw bad(
                index,
                key,
                "it is a slice of a partitioned variable; sliced tensors are not read (restore"
                    + " the variable unpartitioned in TensorFlow and save it again)");
        default -> in.skip();
      }
    }
    TfDType dtype = TfDType.of(dtypeNumber);
    if (dtype == null) {
      throw bad(
          index, key, "its dtype number " + dtypeNumber + " is not one a checkpoint can hold");
    }
    if (unknownRank) {
      throw bad(index, key, "its shape has unknown rank");
    }
    long[] d = new long[dims.size()];
    long n = 1;
    for (int i = 0; i < d.length; i++) {
      d[i] = dims.get(i);
      if (d[i] < 0 || d[i] > Integer.MAX_VALUE) {
        throw bad(index, key, "its dim " + i + " is " + d[i] + ", outside [0, 2147483647]");
      }
      n *= d[i];
      if (n > Integer.MAX_VALUE - 8) {
        throw bad(index, key, "its shape " + dims + " has more elements than a tensor can hold");
      }
    }
    if (shard < 0 || shard >= numShards) {
      throw bad(index, key, "its shard " + shard + " is outside [0, " + numShards + ")");
    }
    if (offset < 0 || size < 0 || offset > Long.MAX_VALUE - size) {
      throw bad(index, key, "its byte range (offset " + offset + ", size " + size + ") is invalid");
    }
    if (dtype.byteSize > 0 && size != n * dtype.byteSize) {
      throw bad(
          index,
          key,
          "it declares "
              + size
              + " bytes, but "
              + dtype
              + Arrays.toString(d)
              + " takes "
              + n * dtype.byteSize);
    }
    if (dtype == TfDType.DT_STRING && (n > MAX_STRING_ELEMENTS || size < n + 4)) {
      throw bad(
          index,
          key,
          "a string tensor of "
              + n
              + " elements in "
              + size
              + " bytes is not one this reader accepts (at most "
              + MAX_STRING_ELEMENTS
              + " elements, a length byte each and a 4-byte checksum)");
    }
    if (!hasCrc && size > 0) {
      throw bad(index, key, "it has no CRC32C to check its bytes against");
    }
    return new Entry(key, dtype, d, (int) shard, offset, size, crc);
  }

  private static CheckpointFormatException bad(Path index, String key, String problem) {
    return new CheckpointFormatException(
        index, "the entry of \"" + key + "\" is invalid: " + problem);
  }

  private void openShards() {
    for (int i = 0; i < numShards; i++) {
      Path p = shardPath(i);
      try {
        shards[i] = FileChannel.open(p, StandardOpenOption.READ);
        shardSizes[i] = shards[i].size();
      } catch (NoSuchFileException e) {
        throw new CheckpointException(
            p + ": no such file; the index " + index + " names " + numShards + " shards", e);
      } catch (IOException | SecurityException e) {
        throw new CheckpointException(p + ": cannot open it for reading: " + e, e);
      }
    }
    for (Entry e : entries) {
      if (e.offset + e.size > shardSizes[e.shard]) {
        throw new CheckpointFormatException(
            shardPath(e.shard),
            "the tensor \""
                + e.key
                + "\" lies at bytes ["
                + e.offset
                + ", "
                + (e.offset + e.size)
                + "), past the end of the "
                + shardSizes[e.shard]
                + "-byte shard; it is truncated");
      }
    }
  }

  /** The path of shard {@code i}: {@code <prefix>.data-0000i-of-0000N}. */
  Path shardPath(int i) {
    return Path.of(String.format("%s.data-%05d-of-%05d", prefix, i, numShards));
  }

  /** The prefix the bundle was opened with. */
  public Path prefix() {
    return prefix;
  }

  /** Every tensor entry, in key order (the header is not one). */
  public List<Entry> entries() {
    return entries;
  }

  /** The entry under {@code key}, or null. */
  public Entry entry(String key) {
    return byKey.get(key);
  }

  /**
   * The object graph of an object-based checkpoint, or null if the bundle has none (a TensorFlow 1
   * tensor-based checkpoint). Read and checked once, on the first call.
   *
   * @throws CheckpointFormatException if the graph is malformed
   */
  public synchronized TrackableObjectGraph objectGraph() {
    if (objectGraph == null) {
      Entry e = byKey.get(OBJECT_GRAPH_KEY);
      if (e == null) {
        return null;
      }
      if (e.dtype != TfDType.DT_STRING || e.elements() != 1 || e.size > MAX_INDEX_BYTES) {
        throw new CheckpointFormatException(
            index,
            OBJECT_GRAPH_KEY
                + " is "
                + e.dtype
                + Arrays.toString(e.dims)
                + " of "
                + e.size
                + " bytes, not a string of at most "
                + MAX_INDEX_BYTES
                + " bytes");
      }
      byte[] proto = readStrings(e).get(0);
      try {
        objectGraph = TrackableObjectGraph.parse(proto, byKey.keySet());
      } catch (ProtoFormatException x) {
        throw new CheckpointFormatException(
            shardPath(e.shard), "the object graph is malformed: " + x.getMessage(), x);
      } catch (TrackableObjectGraph.Invalid x) {
        throw new CheckpointFormatException(
            shardPath(e.shard), "the object graph is invalid: " + x.getMessage());
      }
    }
    return objectGraph;
  }

  /**
   * The tensor under {@code key}, its CRC32C checked.
   *
   * @throws CheckpointException if there is no such tensor or its dtype cannot be loaded
   * @throws CheckpointFormatException if its bytes fail the CRC check
   */
  public HostArray read(String key) {
    Entry e = byKey.get(key);
    if (e == null) {
      throw new CheckpointException(prefix + ": no tensor \"" + key + "\" in the checkpoint");
    }
    return read(e);
  }

  /** The tensor of {@code e}, one of {@link #entries()}, its CRC32C checked. */
  public HostArray read(Entry e) {
    if (e.dtype.sonnet == null) {
      throw new CheckpointException(
          prefix
              + ": the tensor \""
              + e.key
              + "\" is "
              + e.dtype
              + ", which this library cannot load (it reads float, double, half, bfloat16,"
              + " int32, int64 and bool tensors)");
    }
    ByteBuffer b = bytes(e).order(ByteOrder.LITTLE_ENDIAN);
    Shape shape = e.shape();
    int n = (int) e.elements();
    return switch (e.dtype) {
      case DT_FLOAT -> {
        float[] a = new float[n];
        b.asFloatBuffer().get(a);
        yield HostArray.of(a, shape);
      }
      case DT_HALF, DT_BFLOAT16 -> {
        short[] bits = new short[n];
        b.asShortBuffer().get(bits);
        yield HostArray.ofBits(e.dtype.sonnet, bits, shape);
      }
      case DT_DOUBLE -> {
        double[] a = new double[n];
        b.asDoubleBuffer().get(a);
        yield HostArray.of(a, shape);
      }
      case DT_INT32 -> {
        int[] a = new int[n];
        b.asIntBuffer().get(a);
        yield HostArray.of(a, shape);
      }
      case DT_INT64 -> {
        long[] a = new long[n];
        b.asLongBuffer().get(a);
        yield HostArray.of(a, shape);
      }
      case DT_BOOL -> {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
          a[i] = b.get(i) != 0;
        }
        yield HostArray.of(a, shape);
      }
      default -> throw new IllegalStateException("unreachable: " + e.dtype);
    };
  }

  /**
   * The elements of a string tensor. The bundle stores the lengths as varints, then a masked CRC32C
   * of the lengths (taken over them as little-endian integers: 4 bytes for a length that fits 32
   * bits, as TensorFlow keeps for compatibility, else 8), then the bytes; the entry's CRC32C covers
   * the same lengths, the length checksum and the bytes.
   */
  List<byte[]> readStrings(Entry e) {
    ByteBuffer b = rawBytes(e);
    byte[] raw = b.array();
    int n = (int) e.elements();
    int[] at = {0};
    long[] lengths = new long[n];
    CRC32C crc = new CRC32C();
    byte[] eight = new byte[8];
    long total = 0;
    for (int i = 0; i < n; i++) {
      long len = ProtoReader.varint(raw, at, raw.length);
      if (len < 0 || len > raw.length) {
        throw new CheckpointFormatException(
            shardPath(e.shard), "the string tensor \"" + e.key + "\" has a malformed length");
      }
      lengths[i] = len;
      total += len;
      ByteBuffer.wrap(eight).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
      crc.update(eight, 0, len <= 0xFFFF_FFFFL ? 4 : 8);
    }
    if (raw.length - at[0] < 4 || total != raw.length - at[0] - 4) {
      throw new CheckpointFormatException(
          shardPath(e.shard),
          "the string tensor \""
              + e.key
              + "\" declares "
              + total
              + " bytes of strings, but its entry holds "
              + (raw.length - at[0] - 4));
    }
    int stored = LevelDbTable.littleInt(raw, at[0]);
    if (stored != LevelDbTable.mask((int) crc.getValue())) {
      throw crcError(e, stored, LevelDbTable.mask((int) crc.getValue()), "its lengths");
    }
    crc.update(raw, at[0], 4);
    int p = at[0] + 4;
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Arrays.copyOfRange(raw, p, p + (int) lengths[i]));
      crc.update(raw, p, (int) lengths[i]);
      p += (int) lengths[i];
    }
    int actual = LevelDbTable.mask((int) crc.getValue());
    if (actual != e.crc32c) {
      throw crcError(e, e.crc32c, actual, "its bytes");
    }
    return out;
  }

  /** The bytes of a fixed-size tensor, CRC checked. */
  private ByteBuffer bytes(Entry e) {
    ByteBuffer b = rawBytes(e);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.capacity());
    int actual = LevelDbTable.mask((int) crc.getValue());
    if (actual != e.crc32c) {
      throw crcError(e, e.crc32c, actual, "its bytes");
    }
    return b;
  }

  private ByteBuffer rawBytes(Entry e) {
    ByteBuffer b = ByteBuffer.allocate((int) e.size);
    FileChannel ch = shards[e.shard];
    try {
      synchronized (ch) {
        while (b.hasRemaining()) {
          if (ch.read(b, e.offset + b.position()) < 0) {
            throw new CheckpointFormatException(
                shardPath(e.shard), "the shard ended while \"" + e.key + "\" was read");
          }
        }
      }
    } catch (IOException x) {
      throw new CheckpointException(shardPath(e.shard) + ": reading failed: " + x, x);
    }
    b.clear();
    return b;
  }

  private CheckpointFormatException crcError(Entry e, int stored, int actual, String what) {
    return new CheckpointFormatException(
        shardPath(e.shard),
        "the tensor \""
            + e.key
            + "\" fails its CRC32C check on "
            + what
            + " (stored 0x"
            + Integer.toHexString(stored)
            + ", computed 0x"
            + Integer.toHexString(actual)
            + "); the file is corrupt");
  }

  @Override
  public void close() {
    for (FileChannel ch : shards) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // Closing a read-only channel loses nothing.
        }
      }
    }
  }

  @Override
  public String toString() {
    return "TensorBundle("
        + prefix
        + ", "
        + entries.size()
        + " tensors in "
        + numShards
        + " shards)";
  }
}
