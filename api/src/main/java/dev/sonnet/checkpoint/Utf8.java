package dev.sonnet.checkpoint;

/**
 * Strict UTF-8 validation (RFC 3629) of bytes in place, without decoding them.
 *
 * <p>The header reader checks the whole header once with this and then decodes only the strings it
 * keeps, with {@code new String(bytes, offset, length, UTF_8)}, which would otherwise replace a
 * malformed sequence silently. Overlong forms, encoded surrogates and code points above U+10FFFF
 * are malformed, exactly as for the JDK's reporting decoder.
 */
final class Utf8 {
  private Utf8() {}

  /** The index of the first byte of {@code bytes[0, length)} that is not valid UTF-8, or -1. */
  static int firstMalformedByte(byte[] bytes, int length) {
    int i = 0;
    while (i < length) {
      int b = bytes[i] & 0xFF;
      if (b < 0x80) {
        i++;
        continue;
      }
      int continuations;
      int min = 0x80; // the range of the first continuation byte, which rules out overlong forms,
      int max = 0xBF; // surrogates (ED A0..BF) and code points beyond U+10FFFF (F4 90..)
      if (b >= 0xC2 && b <= 0xDF) {
        continuations = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        continuations = 2;
        min = b == 0xE0 ? 0xA0 : 0x80;
        max = b == 0xED ? 0x9F : 0xBF;
      } else if (b >= 0xF0 && b <= 0xF4) {
        continuations = 3;
        min = b == 0xF0 ? 0x90 : 0x80;
        max = b == 0xF4 ? 0x8F : 0xBF;
      } else {
        return i;
      }
      if (i + continuations >= length) { // truncated sequence
        return i;
      }
      int first = bytes[i + 1] & 0xFF;
      if (first < min || first > max) {
        return i;
      }
      for (int k = 2; k <= continuations; k++) {
        int c = bytes[i + k] & 0xFF;
        if (c < 0x80 || c > 0xBF) {
          return i;
        }
      }
      i += continuations + 1;
    }
    return -1;
  }
}
