package dev.sonnet.checkpoint;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An open safetensors file: its header, checked completely when the file is opened, and its
 * tensors, read one at a time on demand.
 *
 * <p>The file is never trusted. Opening checks the length prefix against the file size and {@link
 * #MAX_HEADER_BYTES} before allocating anything, parses the header with a strict JSON reader, and
 * checks every tensor's dtype, shape and byte range: each range must match its dtype and shape, lie
 * inside the data section, and the ranges must cover the data section exactly, without overlaps or
 * gaps (as the format requires). Dims and offsets must be plain non-negative integers ({@code -0},
 * {@code 01}, {@code 1.0} are refused). Any problem is a {@link CheckpointFormatException} naming
 * the file and the numbers involved ({@link SafeTensorsHeader} does the checking).
 *
 * <p><b>Memory is bounded by the file, not by what its header claims.</b> The header is read once
 * into one array and parsed straight into compact records (a name, a dtype, the dims and two
 * offsets per tensor; the metadata as UTF-8 bytes), with no general JSON tree. Opening a file
 * allocates at most about 6 times the header's size plus about 200 bytes per tensor (64 per
 * metadata pair), garbage included: a 16 MB header of a million metadata pairs allocates 83 MB and
 * one of 40,000 tensors 10 MB, where a JSON tree took 342 MB and 70 MB, so even a hostile header at
 * the 100 MB limit cannot exhaust a default heap. Tensors are read with positional reads through a
 * buffer as large as the tensor, at most {@value #CHUNK_BYTES} bytes, straight into the result
 * array, so a large file is never held in memory twice and a small one costs little. Not
 * thread-safe for reads in parallel: reads are serialised.
 *
 * <pre>{@code
 * try (SafeTensorsFile f = SafeTensorsFile.open(Path.of("model.safetensors"))) {
 *   for (SafeTensorsFile.Entry e : f.entries()) {
 *     System.out.println(e);                      // fc1.weight: F32[4, 3] at bytes [0, 48)
 *   }
 *   HostArray w = f.read("fc1.weight");
 * }
 * }</pre>
 */
public final class SafeTensorsFile implements AutoCloseable {
  /** The largest header accepted: the same bound the reference implementation uses (100 MB). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** The metadata key of the header. */
  static final String METADATA_KEY = "__metadata__";

  /** Reads go through a buffer this large: big enough to be fast, small next to a tensor. */
  private static final int CHUNK_BYTES = 1 << 20;

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final List<Entry> entries;
  private final Map<String, Entry> byName;
  private final Map<String, String> metadata;

  /** The read buffer: as large as the largest tensor read so far, at most {@link #CHUNK_BYTES}. */
  private ByteBuffer chunk;

  /** One tensor as the header describes it. */
  public static final class Entry {
    private final String name;
    private final FileDType dtype;
    private final long[] dims;
    private final long begin;
    private final long end;

    Entry(String name, FileDType dtype, long[] dims, long begin, long end) {
      this.name = name;
      this.dtype = dtype;
      this.dims = dims;
      this.begin = begin;
      this.end = end;
    }

    /** The tensor's name in the file. */
    public String name() {
      return name;
    }

    /** The safetensors dtype name, like {@code F32} or {@code BF16}. */
    public String fileDType() {
      return dtype.name();
    }

    /**
     * The dtype the tensor is read as ({@code F16} and {@code BF16} are widened to float32), or
     * null if this library cannot load the file's dtype.
     */
    public DType dtype() {
      return dtype.sonnet;
    }

    /** The dimensions as the file declares them. */
    public long[] dims() {
      return dims.clone();
    }

    /** The shape, or null if a dimension or the element count is too large for a tensor. */
    public Shape shape() {
      long n = 1;
      int[] d = new int[dims.length];
      for (int i = 0; i < dims.length; i++) {
        if (dims[i] > Integer.MAX_VALUE) {
          return null;
        }
        d[i] = (int) dims[i];
        n *= dims[i]; // cannot overflow: checked when the file was opened
      }
      return n > Integer.MAX_VALUE - 8 ? null : Shape.of(d);
    }

    /** The number of elements. */
    public long size() {
      long n = 1;
      for (long d : dims) {
        n *= d;
      }
      return n;
    }

    /** Where the tensor's bytes start, counted from the start of the data section. */
    public long begin() {
      return begin;
    }

    /** Where the tensor's bytes end (exclusive), counted from the start of the data section. */
    public long end() {
      return end;
    }

    FileDType type() {
      return dtype;
    }

    /** Like {@code fc1.weight: F32[4, 3] at bytes [0, 48)}. */
    @Override
    public String toString() {
      return name + ": " + dtype + Arrays.toString(dims) + " at bytes [" + begin + ", " + end + ")";
    }
  }

  private SafeTensorsFile(
      Path path, FileChannel channel, long dataStart, SafeTensorsHeader header) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.entries = header.entries;
    this.byName = header.byName;
    this.metadata = header.metadata;
  }

  /**
   * Opens {@code file} and checks its header.
   *
   * @throws CheckpointFormatException if the file is not a valid safetensors file
   * @throws CheckpointException if it cannot be opened or read
   */
  public static SafeTensorsFile open(Path file) {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + ": no such file", e);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      throw new CheckpointException(file + ": cannot open it for reading: " + e, e);
    }
    boolean ok = false;
    try {
      SafeTensorsFile f = readHeader(file, ch);
      ok = true;
      return f;
    } catch (IOException e) {
      throw new CheckpointException(file + ": reading the header failed: " + e, e);
    } finally {
      if (!ok) {
        closeQuietly(ch);
      }
    }
  }

  private static SafeTensorsFile readHeader(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw new CheckpointFormatException(
          file,
          "the file is "
              + size
              + " bytes long, shorter"
              + " than the 8-byte header length that starts every safetensors file; it is empty or"
              + " truncated");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(file, ch, lenBuf, 0, "the header length");
    long headerLen = lenBuf.getLong(0);
    if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
      throw new CheckpointFormatException(
          file,
          "the header length is "
              + Long.toUnsignedString(headerLen)
              + " bytes; a safetensors header is between 2 and "
              + MAX_HEADER_BYTES
              + " bytes. This is not a safetensors file, or its first 8 bytes are damaged");
    }
    if (headerLen > size - 8) {
      throw new CheckpointFormatException(
          file,
          "the header length says "
              + headerLen
              + " bytes but only "
              + (size - 8)
              + " bytes follow it; the file is truncated");
    }
    byte[] header = new byte[(int) headerLen];
    readFully(file, ch, ByteBuffer.wrap(header), 8, "the header");
    SafeTensorsHeader parsed =
        SafeTensorsHeader.parse(file, header, header.length, size - 8 - headerLen);
    return new SafeTensorsFile(file, ch, 8 + headerLen, parsed);
  }

  // ---- access ------------------------------------------------------------------------------

  /** The file's path. */
  public Path path() {
    return path;
  }

  /** The tensors, in header order. */
  public List<Entry> entries() {
    return entries;
  }

  /** The tensor named {@code name}, or null. */
  public Entry entry(String name) {
    return byName.get(name);
  }

  /** The header's {@code __metadata__} strings; empty if it has none. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Reads the tensor {@code name}.
   *
   * @throws CheckpointException if there is no such tensor, its dtype cannot be loaded, it is too
   *     large for one Java array, or the file changed since it was opened
   */
  public HostArray read(String name) {
    Entry e = byName.get(name);
    if (e == null) {
      throw new CheckpointException(
          path + ": has no tensor \"" + name + "\"; it has " + abbreviatedNames());
    }
    return read(e);
  }

  /** Reads the tensor {@code e} describes; see {@link #read(String)}. */
  public synchronized HostArray read(Entry e) {
    if (byName.get(e.name) != e) {
      throw new CheckpointException(path + ": " + e.name + " is an entry of another file");
    }
    if (e.dtype.sonnet == null) {
      throw new CheckpointException(
          path
              + ": tensor \""
              + e.name
              + "\" has unsupported dtype "
              + e.dtype
              + "; this library reads F32, F64, I32, I64, BOOL, and F16 and BF16 as"
              + " float32. Convert it before saving, e.g. in PyTorch: t.to(torch.float32)");
    }
    Shape shape = e.shape();
    if (shape == null) {
      throw new CheckpointException(
          path
              + ": tensor \""
              + e.name
              + "\" has shape "
              + Arrays.toString(e.dims)
              + " ("
              + e.size()
              + " elements), more than one tensor can"
              + " hold (2^31 - 9 elements)");
    }
    int n = shape.intSize();
    try {
      return switch (e.dtype) {
        case F32 -> {
          float[] out = new float[n];
          readElements(e, 4, (buf, at, k) -> buf.asFloatBuffer().get(out, at, k));
          yield HostArray.of(out, shape);
        }
        case F16, BF16 -> {
          short[] out = new short[n];
          readElements(e, 2, (buf, at, k) -> buf.asShortBuffer().get(out, at, k));
          yield HostArray.ofBits(e.dtype.sonnet, out, shape);
        }
        case F64 -> {
          double[] out = new double[n];
          readElements(e, 8, (buf, at, k) -> buf.asDoubleBuffer().get(out, at, k));
          yield HostArray.of(out, shape);
        }
        case I32 -> {
          int[] out = new int[n];
          readElements(e, 4, (buf, at, k) -> buf.asIntBuffer().get(out, at, k));
          yield HostArray.of(out, shape);
        }
        case I64 -> {
          long[] out = new long[n];
          readElements(e, 8, (buf, at, k) -> buf.asLongBuffer().get(out, at, k));
          yield HostArray.of(out, shape);
        }
        case BOOL -> {
          boolean[] out = new boolean[n];
          readElements(
              e,
              1,
              (buf, at, k) -> {
                for (int i = 0; i < k; i++) {
                  byte b = buf.get(i);
                  if (b != 0 && b != 1) {
                    throw new CheckpointFormatException(
                        path,
                        "bool tensor \""
                            + e.name
                            + "\" holds the byte "
                            + (b & 0xFF)
                            + " at element "
                            + (at + i)
                            + "; booleans are stored as 0 or 1");
                  }
                  out[at + i] = b == 1;
                }
              });
          yield HostArray.of(out, shape);
        }
        default -> throw new AssertionError(e.dtype);
      };
    } catch (ClosedChannelException ex) {
      throw new CheckpointException(
          path + ": the file was closed; read tensors before" + " closing it", ex);
    } catch (IOException ex) {
      throw new CheckpointException(path + ": reading tensor \"" + e.name + "\" failed: " + ex, ex);
    }
  }

  /** Receives {@code count} elements, starting at element {@code at}, from the buffer. */
  @FunctionalInterface
  private interface ChunkSink {
    void accept(ByteBuffer buffer, int at, int count);
  }

  private void readElements(Entry e, int width, ChunkSink sink) throws IOException {
    long total = e.end - e.begin;
    int wanted = (int) Math.min(total, CHUNK_BYTES);
    if (chunk == null || chunk.capacity() < wanted) {
      chunk = ByteBuffer.allocate(wanted).order(ByteOrder.LITTLE_ENDIAN);
    }
    long done = 0;
    int element = 0;
    int perChunk = chunk.capacity() / width;
    while (done < total) {
      int k = (int) Math.min(perChunk, (total - done) / width);
      chunk.clear().limit(k * width);
      readFully(path, channel, chunk, dataStart + e.begin + done, "tensor \"" + e.name + "\"");
      chunk.flip();
      sink.accept(chunk.slice().order(ByteOrder.LITTLE_ENDIAN), element, k);
      done += (long) k * width;
      element += k;
    }
  }

  /**
   * Fills {@code dst} from {@code position}, at most {@link #CHUNK_BYTES} per call: the JDK reads
   * into a heap buffer through a temporary direct buffer as large as the request, and keeps the
   * largest one per thread, so one read of a 100 MB header would pin 100 MB of native memory.
   */
  private static void readFully(
      Path file, FileChannel ch, ByteBuffer dst, long position, String what) throws IOException {
    long at = position;
    int limit = dst.limit();
    while (dst.hasRemaining()) {
      dst.limit(Math.min(limit, dst.position() + CHUNK_BYTES));
      int r = ch.read(dst, at);
      dst.limit(limit);
      if (r < 0) {
        throw new CheckpointFormatException(
            file,
            "the file ended at byte "
                + at
                + " while"
                + " reading "
                + what
                + "; it is truncated (or was truncated after it was opened)");
      }
      at += r;
    }
  }

  private String abbreviatedNames() {
    List<String> names = entries.stream().limit(20).map(Entry::name).toList();
    return entries.size() <= 20
        ? names.toString()
        : names + " and " + (entries.size() - 20) + " more";
  }

  /** Closes the file; entries stay readable, tensors do not. */
  @Override
  public void close() {
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // Nothing was written; a failed close of a read-only channel loses nothing.
    }
  }
}
