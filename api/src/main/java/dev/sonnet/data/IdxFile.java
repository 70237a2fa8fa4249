package dev.sonnet.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of (Fashion-)MNIST (Yann LeCun's format): a big-endian header {@code 0x0000,
 * type, rank}, then {@code rank} 32-bit sizes, then unsigned bytes. Gzip-compressed files are
 * recognised by their magic bytes, so {@code .gz} and plain files both work.
 *
 * <p>The header is never trusted: sizes must be positive, their product is capped before anything
 * is allocated, and the payload must be exactly that long.
 */
public final class IdxFile {
  /** The IDX type code for unsigned bytes, the only one (Fashion-)MNIST uses. */
  static final int UNSIGNED_BYTE = 0x08;

  /** No real file here is larger; anything claiming more is corrupt, not big. */
  static final long MAX_ELEMENTS = 64L * 1024 * 1024;

  private final int[] dims;
  private final byte[] data;

  private IdxFile(int[] dims, byte[] data) {
    this.dims = dims;
    this.data = data;
  }

  /** Reads {@code file}, checking that it has {@code expectedRank} dimensions (-1: any). */
  public static IdxFile read(Path file, int expectedRank) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString(), expectedRank);
    } catch (IOException e) {
      throw new DatasetException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads an IDX stream; {@code source} names it in errors. */
  public static IdxFile read(InputStream raw, String source, int expectedRank) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    InputStream in =
        (b0 == 0x1f && b1 == 0x8b)
            ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16)
            : buffered;
    DataInputStream data = new DataInputStream(in);
    try {
      int zero = data.readUnsignedShort();
      int type = data.readUnsignedByte();
      int rank = data.readUnsignedByte();
      if (zero != 0 || type != UNSIGNED_BYTE) {
        throw new DatasetException(
            source
                + " is not an IDX file of unsigned bytes (header "
                + String.format("%04x %02x %02x", zero, type, rank)
                + ")");
      }
      if (expectedRank >= 0 && rank != expectedRank) {
        throw new DatasetException(
            source + " has " + rank + " dimensions, expected " + expectedRank);
      }
      int[] dims = new int[rank];
      long total = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = data.readInt();
        if (dims[i] <= 0) {
          throw new DatasetException(source + " declares dimension " + i + " = " + dims[i]);
        }
        total *= dims[i];
        if (total > MAX_ELEMENTS) {
          throw new DatasetException(
              source
                  + " declares "
                  + Arrays.toString(dims)
                  + " elements, more than any (Fashion-)MNIST file; it is corrupt");
        }
      }
      byte[] payload = new byte[(int) total];
      data.readFully(payload);
      if (data.read() != -1) {
        throw new DatasetException(
            source + " is longer than its header " + Arrays.toString(dims) + " says");
      }
      return new IdxFile(dims, payload);
    } catch (EOFException e) {
      throw new DatasetException(
          source + " is truncated: it ends before the data its header " + "declares", e);
    }
  }

  /** Reads an IDX file from bytes (e.g. a resource). */
  public static IdxFile read(byte[] bytes, String source, int expectedRank) {
    try {
      return read(new ByteArrayInputStream(bytes), source, expectedRank);
    } catch (IOException e) {
      throw new DatasetException("Cannot read " + source + ": " + e.getMessage(), e);
    }
  }

  /** The sizes from the header, e.g. {@code [60000, 28, 28]}. */
  public int[] dims() {
    return dims.clone();
  }

  /** The payload, unsigned bytes in row-major order. */
  public byte[] data() {
    return data;
  }
}
