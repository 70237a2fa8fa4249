package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {
  private static int check(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return Utf8.firstMalformedByte(b, b.length);
  }

  @Test
  void acceptsEveryWidthOfCharacter() {
    byte[] b = "a\u00e9\u0800\uffff\ud800\udc00\udbff\udfff".getBytes(StandardCharsets.UTF_8);
    assertThat(Utf8.firstMalformedByte(b, b.length)).isEqualTo(-1);
  }

  @Test
  void findsOverlongSurrogateTooLargeAndTruncatedSequences() {
    assertThat(check('a', 0xC0, 0x80)).as("overlong NUL").isEqualTo(1);
    assertThat(check(0xE0, 0x80, 0x80)).as("overlong 3-byte").isZero();
    assertThat(check(0xF0, 0x80, 0x80, 0x80)).as("overlong 4-byte").isZero();
    assertThat(check(0xED, 0xA0, 0x80)).as("encoded surrogate").isZero();
    assertThat(check(0xF4, 0x90, 0x80, 0x80)).as("beyond U+10FFFF").isZero();
    assertThat(check(0xF5, 0x80, 0x80, 0x80)).as("no such lead byte").isZero();
    assertThat(check('a', 'b', 0xE2, 0x82)).as("truncated").isEqualTo(2);
    assertThat(check(0x80)).as("lone continuation").isZero();
    assertThat(check(0xC3, 0x28)).as("bad continuation").isZero();
  }

  @Test
  void looksOnlyAtTheGivenLength() {
    byte[] b = {'a', (byte) 0xFF};
    assertThat(Utf8.firstMalformedByte(b, 1)).isEqualTo(-1);
  }
}
