package dev.sonnet.summary;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal PNG encoder (ISO/IEC 15948): 8-bit grey, grey+alpha, RGB or RGBA, one IDAT chunk,
 * filter type 0 on every row, zlib from {@link Deflater}. Enough for TensorBoard's image summaries
 * without {@code java.desktop} (ImageIO) in the library.
 */
final class PngEncoder {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private PngEncoder() {}

  /**
   * Encodes {@code pixels}: {@code height * width * channels} bytes, row-major, channels
   * interleaved (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
   */
  static byte[] encode(byte[] pixels, int height, int width, int channels) {
    if (height < 1 || width < 1 || channels < 1 || channels > 4) {
      throw new IllegalArgumentException(
          "PNG: height and width must be >= 1 and channels 1..4, got "
              + height
              + "x"
              + width
              + "x"
              + channels);
    }
    if ((long) height * width * channels != pixels.length) {
      throw new IllegalArgumentException(
          "PNG: "
              + height
              + "x"
              + width
              + "x"
              + channels
              + " needs "
              + (long) height * width * channels
              + " bytes, got "
              + pixels.length);
    }
    int colorType =
        switch (channels) {
          case 1 -> 0; // greyscale
          case 2 -> 4; // greyscale with alpha
          case 3 -> 2; // truecolour
          default -> 6; // truecolour with alpha
        };
    int rowBytes = width * channels;
    byte[] raw = new byte[height * (rowBytes + 1)];
    for (int y = 0; y < height; y++) {
      raw[y * (rowBytes + 1)] = 0; // filter: none
      System.arraycopy(pixels, y * rowBytes, raw, y * (rowBytes + 1) + 1, rowBytes);
    }
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    ByteArrayOutputStream idat = new ByteArrayOutputStream(raw.length / 2 + 64);
    try {
      deflater.setInput(raw);
      deflater.finish();
      byte[] buf = new byte[1 << 14];
      while (!deflater.finished()) {
        idat.write(buf, 0, deflater.deflate(buf));
      }
    } finally {
      deflater.end();
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream(idat.size() + 64);
    png.writeBytes(SIGNATURE);
    byte[] ihdr = new byte[13];
    putInt(ihdr, 0, width);
    putInt(ihdr, 4, height);
    ihdr[8] = 8; // bit depth
    ihdr[9] = (byte) colorType;
    // compression 0 (deflate), filter method 0, interlace 0: the zeros already there
    chunk(png, "IHDR", ihdr);
    chunk(png, "IDAT", idat.toByteArray());
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] len = new byte[4];
    putInt(len, 0, data.length);
    out.writeBytes(len);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    byte[] c = new byte[4];
    putInt(c, 0, (int) crc.getValue());
    out.writeBytes(c);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
