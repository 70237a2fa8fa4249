package dev.sonnet.utils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ProtoReaderTest {
  /** field 1 varint 150; field 2 "hi"; field 3 fixed32 0x01020304; field 4 {field 1 varint -1}. */
  static final byte[] MESSAGE = {
    0x08,
    (byte) 0x96,
    0x01, // 1: 150
    0x12,
    0x02,
    'h',
    'i', // 2: "hi"
    0x1D,
    0x04,
    0x03,
    0x02,
    0x01, // 3: fixed32
    0x22,
    0x0B,
    0x08, // 4: nested, field 1 = -1 as a 10-byte varint
    (byte) 0xFF,
    (byte) 0xFF,
    (byte) 0xFF,
    (byte) 0xFF,
    (byte) 0xFF,
    (byte) 0xFF,
    (byte) 0xFF,
    (byte) 0xFF,
    (byte) 0xFF,
    0x01,
    0x29,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8 // 5: fixed64, skipped
  };

  @Test
  void readsEveryWireType_andSkipsUnknownFields() {
    ProtoReader in = new ProtoReader(MESSAGE, "Test");
    assertThat(in.next()).isEqualTo(1);
    assertThat(in.int64()).isEqualTo(150);
    assertThat(in.next()).isEqualTo(2);
    assertThat(in.string()).isEqualTo("hi");
    assertThat(in.next()).isEqualTo(3);
    assertThat(in.fixed32()).isEqualTo(0x01020304);
    assertThat(in.next()).isEqualTo(4);
    ProtoReader nested = in.message("nested");
    assertThat(nested.next()).isEqualTo(1);
    assertThat(nested.int32()).isEqualTo(-1);
    assertThat(nested.next()).isEqualTo(-1);
    assertThat(in.next()).isEqualTo(5);
    in.skip();
    assertThat(in.next()).isEqualTo(-1);
  }

  @Test
  void fixed64_isLittleEndian() {
    ProtoReader in = new ProtoReader(new byte[] {0x09, 1, 0, 0, 0, 0, 0, 0, (byte) 0x80}, "T");
    in.next();
    assertThat(in.fixed64()).isEqualTo(0x8000000000000001L);
  }

  @Test
  void lengthPastTheEnd_isAnErrorNamingTheMessageAndField() {
    byte[] b = {0x12, 0x05, 'h', 'i'};
    ProtoReader in = new ProtoReader(b, "BundleEntryProto");
    in.next();
    assertThatThrownBy(in::string)
        .isInstanceOf(ProtoFormatException.class)
        .hasMessageContaining("BundleEntryProto")
        .hasMessageContaining("field 2 declares 5 bytes but 2 remain");
  }

  @Test
  void groupsFieldZeroLongVarintsAndWrongTypes_areErrors() {
    assertThatThrownBy(() -> new ProtoReader(new byte[] {0x0B}, "T").next())
        .isInstanceOf(ProtoFormatException.class)
        .hasMessageContaining("wire type 3");
    assertThatThrownBy(() -> new ProtoReader(new byte[] {0x00, 0x00}, "T").next())
        .hasMessageContaining("field number 0");
    byte[] eleven = new byte[12];
    eleven[0] = 0x08;
    java.util.Arrays.fill(eleven, 1, 12, (byte) 0x80);
    ProtoReader in = new ProtoReader(eleven, "T");
    in.next();
    assertThatThrownBy(in::int64).hasMessageContaining("varint");
    ProtoReader wrong = new ProtoReader(new byte[] {0x08, 0x01}, "T");
    wrong.next();
    assertThatThrownBy(wrong::string).hasMessageContaining("wire type 0, expected 2");
    ProtoReader utf = new ProtoReader(new byte[] {0x12, 0x01, (byte) 0xC3}, "T");
    utf.next();
    assertThatThrownBy(utf::string).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void staticVarint_rejectsOverflowAndTruncation() {
    int[] at = {0};
    assertThat(ProtoReader.varint(new byte[] {(byte) 0xAC, 0x02}, at, 2)).isEqualTo(300);
    assertThat(at[0]).isEqualTo(2);
    assertThat(ProtoReader.varint(new byte[] {(byte) 0xAC}, new int[] {0}, 1)).isEqualTo(-1);
    byte[] big = new byte[10];
    java.util.Arrays.fill(big, (byte) 0xFF);
    big[9] = 0x01; // 2^64 - 1: negative as a long
    assertThat(ProtoReader.varint(big, new int[] {0}, 10)).isEqualTo(-1);
  }

  /** Random bytes read as a message: only the reader's own error, never another exception. */
  @Test
  void randomBytes_failOnlyWithItsOwnError() {
    Random r = new Random(18);
    for (int k = 0; k < 20_000; k++) {
      byte[] b = new byte[r.nextInt(40)];
      r.nextBytes(b);
      ProtoReader in = new ProtoReader(b, "Fuzz");
      try {
        for (int f; (f = in.next()) != -1; ) {
          switch (in.wireType()) {
            case ProtoReader.WIRE_LENGTH_DELIMITED -> {
              if (f % 2 == 0) {
                in.message("m").next();
              } else {
                in.bytes();
              }
            }
            case ProtoReader.WIRE_FIXED32 -> in.fixed32();
            default -> in.skip();
          }
        }
      } catch (ProtoFormatException expected) {
        assertThat(expected.getMessage()).startsWith("Fuzz");
      }
    }
  }
}
