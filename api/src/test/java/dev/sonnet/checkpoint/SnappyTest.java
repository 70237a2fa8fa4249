package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnappyTest {
  private static Snappy.Result decode(int max, int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return Snappy.decompress(b, 0, b.length, max);
  }

  @Test
  void literalsAndOverlappingCopies_decode() {
    // 12 bytes: literal "abc", then a 1-byte-offset copy of 4 from 3 back, then a 2-byte-offset
    // copy of 5 from 1 back (overlapping: repeats the last byte).
    Snappy.Result r = decode(100, 12, 2 << 2, 'a', 'b', 'c', 0x01, 3, (4 << 2) | 2, 1, 0);
    assertThat(r.problem()).isNull();
    assertThat(new String(r.bytes(), StandardCharsets.US_ASCII)).isEqualTo("abcabcaaaaaa");
  }

  @Test
  void longLiteralLengths_decode() {
    byte[] in = new byte[3 + 70];
    in[0] = 70;
    in[1] = (byte) (60 << 2); // length - 1 in the next byte
    in[2] = 69;
    for (int i = 0; i < 70; i++) {
      in[3 + i] = (byte) i;
    }
    Snappy.Result r = Snappy.decompress(in, 0, in.length, 100);
    assertThat(r.problem()).isNull();
    assertThat(r.bytes()).hasSize(70);
    assertThat(r.bytes()[69]).isEqualTo((byte) 69);
  }

  @Test
  void hostileStreams_areProblems_notExceptions() {
    assertThat(decode(10, 100).problem()).contains("declares 100 decompressed bytes, more than 10");
    assertThat(decode(10, 4, 0x01, 0).problem()).contains("reaches back 0 bytes");
    assertThat(decode(10, 8, 0, 'a', 0x01, 5).problem()).contains("reaches back 5 bytes, but 1");
    assertThat(decode(10, 4, 3 << 2, 'a').problem()).contains("literal of 4 bytes");
    assertThat(decode(10, 3, 0, 'a').problem()).contains("decodes to 1 bytes, but declares 3");
    assertThat(decode(10, 2, 0, 'a', 0x05, 1).problem()).contains("runs past the declared length");
    assertThat(decode(10, 0xFF).problem()).contains("varint");
  }

  @Test
  void randomStreams_neverThrow_andNeverExceedTheBound() {
    Random r = new Random(7);
    for (int k = 0; k < 50_000; k++) {
      byte[] b = new byte[r.nextInt(30)];
      r.nextBytes(b);
      Snappy.Result res = Snappy.decompress(b, 0, b.length, 64);
      if (res.problem() == null) {
        assertThat(res.bytes().length).isLessThanOrEqualTo(64);
      }
    }
  }
}
