package dev.sonnet.summary;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard's event files: each record is its length ({@code
 * uint64}, little-endian), the masked CRC-32C of those 8 bytes ({@code uint32}), the data, and the
 * masked CRC-32C of the data. The mask ({@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}) is
 * TensorFlow's {@code crc32c::Mask} (tensorflow/tsl/lib/hash/crc32c.h), there because a CRC of data
 * that itself holds CRCs is weak.
 */
final class TfRecordWriter {
  /** TensorFlow's mask constant. */
  static final int MASK_DELTA = 0xa282ead8;

  private final OutputStream out;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];

  TfRecordWriter(OutputStream out) {
    this.out = out;
  }

  /** Writes one record holding {@code data}. */
  void write(byte[] data) throws IOException {
    long length = data.length;
    for (int i = 0; i < 8; i++) {
      header[i] = (byte) (length >>> (8 * i));
    }
    putInt(header, 8, maskedCrc(header, 0, 8));
    out.write(header);
    out.write(data);
    putInt(footer, 0, maskedCrc(data, 0, data.length));
    out.write(footer);
  }

  /** The masked CRC-32C of {@code bytes[offset, offset + length)}. */
  static int maskedCrc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }

  private static void putInt(byte[] b, int at, int v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }
}
