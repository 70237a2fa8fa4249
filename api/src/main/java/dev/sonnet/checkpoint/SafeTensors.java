package dev.sonnet.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes files in the safetensors layout, which PyTorch, JAX and NumPy users can read and
 * write too: an 8-byte little-endian header length, a JSON header mapping each tensor's name to its
 * dtype, shape and byte range, then the raw little-endian data.
 *
 * <p>{@link #write} is atomic: it writes a temporary file beside the target, syncs it to the disk,
 * and renames it into place, so a crash or a full disk at any moment leaves the previous file
 * whole. Reading is {@link SafeTensorsFile#open}.
 *
 * <pre>{@code
 * Map<String, HostArray> tensors = new LinkedHashMap<>();
 * tensors.put("w", HostArray.of(new float[] {1, 2, 3, 4}, Shape.of(2, 2)));
 * SafeTensors.write(Path.of("w.safetensors"), tensors, Map.of("note", "example"));
 * }</pre>
 */
public final class SafeTensors {
  /** Writes go through a buffer this large. */
  private static final int CHUNK_BYTES = 1 << 20;

  /** Temporary files are named {@code .<target>.tmp-<random>} and never match a checkpoint. */
  static final String TEMP_INFIX = ".tmp-";

  private SafeTensors() {}

  /** Opens {@code file} for reading; see {@link SafeTensorsFile}. */
  public static SafeTensorsFile open(Path file) {
    return SafeTensorsFile.open(file);
  }

  /**
   * Atomically writes {@code tensors}, in iteration order, and {@code metadata} to {@code file},
   * replacing it if it exists.
   *
   * @throws CheckpointException if a name is empty or {@code __metadata__}, or writing fails (the
   *     previous file, if any, is then untouched)
   */
  public static void write(
      Path file, Map<String, HostArray> tensors, Map<String, String> metadata) {
    write(file, tensors, metadata, FaultPoint.Hook.NONE);
  }

  static void write(
      Path file,
      Map<String, HostArray> tensors,
      Map<String, String> metadata,
      FaultPoint.Hook hook) {
    byte[] header = header(file, tensors, metadata);
    Path dir = file.toAbsolutePath().getParent();
    Path temp =
        dir.resolve(
            "."
                + file.getFileName()
                + TEMP_INFIX
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
    try {
      try (FileChannel ch =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        hook.reached(FaultPoint.TEMP_CREATED, temp);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length);
        writeFully(ch, buf.flip());
        writeFully(ch, ByteBuffer.wrap(header));
        hook.reached(FaultPoint.HEADER_WRITTEN, temp);
        for (HostArray a : tensors.values()) {
          writeData(ch, buf, a);
          hook.reached(FaultPoint.TENSOR_WRITTEN, temp);
        }
        hook.reached(FaultPoint.DATA_WRITTEN, temp);
        ch.force(true);
      }
      hook.reached(FaultPoint.SYNCED, temp);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            "the file system cannot rename "
                + temp
                + " to "
                + file
                + " atomically, so a crash could lose the checkpoint; save to a local disk",
            e);
      }
      hook.reached(FaultPoint.RENAMED, temp);
      syncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temp);
      throw new CheckpointException(
          file + ": writing failed, and the previous file (if any) is" + " untouched: " + e, e);
    }
  }

  /** The header bytes, padded with spaces so the data starts 8-byte aligned. */
  private static byte[] header(
      Path file, Map<String, HostArray> tensors, Map<String, String> metadata) {
    Map<String, Object> json = new LinkedHashMap<>();
    if (!metadata.isEmpty()) {
      json.put(SafeTensorsFile.METADATA_KEY, new LinkedHashMap<>(metadata));
    }
    long offset = 0;
    for (Map.Entry<String, HostArray> e : tensors.entrySet()) {
      String name = e.getKey();
      if (name.isEmpty() || name.equals(SafeTensorsFile.METADATA_KEY)) {
        throw new CheckpointException(file + ": a tensor cannot be named \"" + name + "\"");
      }
      HostArray a = e.getValue();
      FileDType d = FileDType.of(a.dtype());
      long bytes = (long) a.size() * d.byteSize;
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", d.name());
      long[] dims = new long[a.shape().rank()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = a.shape().dim(i);
      }
      entry.put("shape", dims);
      entry.put("data_offsets", new long[] {offset, offset + bytes});
      json.put(name, entry);
      offset += bytes;
    }
    byte[] raw = Json.write(json).getBytes(StandardCharsets.UTF_8);
    int padded = (raw.length + 7) & ~7;
    if (padded > SafeTensorsFile.MAX_HEADER_BYTES) {
      throw new CheckpointException(
          file
              + ": the header would be "
              + padded
              + " bytes, more"
              + " than readers accept ("
              + SafeTensorsFile.MAX_HEADER_BYTES
              + "); save fewer,"
              + " larger tensors");
    }
    byte[] out = new byte[padded];
    System.arraycopy(raw, 0, out, 0, raw.length);
    for (int i = raw.length; i < padded; i++) {
      out[i] = ' ';
    }
    return out;
  }

  private static void writeData(FileChannel ch, ByteBuffer buf, HostArray a) throws IOException {
    int n = a.size();
    Object data = a.data();
    int width = FileDType.of(a.dtype()).byteSize;
    int perChunk = CHUNK_BYTES / width;
    for (int at = 0; at < n; at += perChunk) {
      int k = Math.min(perChunk, n - at);
      buf.clear();
      switch (a.dtype()) {
        case FLOAT32 -> buf.asFloatBuffer().put((float[]) data, at, k);
        case FLOAT64 -> buf.asDoubleBuffer().put((double[]) data, at, k);
        case INT32 -> buf.asIntBuffer().put((int[]) data, at, k);
        case INT64 -> buf.asLongBuffer().put((long[]) data, at, k);
        case BFLOAT16, FLOAT16 -> buf.asShortBuffer().put((short[]) data, at, k);
        case BOOL -> {
          boolean[] b = (boolean[]) data;
          for (int i = 0; i < k; i++) {
            buf.put(i, b[at + i] ? (byte) 1 : (byte) 0);
          }
        }
      }
      buf.limit(k * width);
      writeFully(ch, buf);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** Makes the rename durable; some platforms cannot open a directory, and need not. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot sync a directory; its renames are durable without it.
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // Best effort: a stale temporary file is ignored by readers and managers.
    }
  }

  /** Whether {@code name} is one of the temporary files {@link #write} creates. */
  static boolean isTemporary(String name) {
    return name.startsWith(".") && name.contains(TEMP_INFIX);
  }

  /** For messages: the names, at most 20 of them. */
  static String names(List<String> names) {
    return names.size() <= 20
        ? names.toString()
        : names.subList(0, 20) + " and " + (names.size() - 20) + " more";
  }
}
