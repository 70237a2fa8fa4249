package dev.sonnet.utils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Checks the writer byte for byte against encodings computed by hand from the protobuf encoding
 * guide (https://protobuf.dev/programming-guides/encoding/): its worked examples ({@code 150 -> 08
 * 96 01}, {@code "testing"}, the nested {@code 1a 03 08 96 01}, the packed {@code [3, 270, 86942]})
 * and the edge cases (ten-byte negatives, field-number limits, little-endian fixed widths). ONNX
 * Runtime parsing whole models written with it is the end-to-end check (runtime-cpu's ONNX tests).
 */
class ProtoWriterTest {
  private static String hex(ProtoWriter w) {
    return HexFormat.ofDelimiter(" ").formatHex(w.toByteArray());
  }

  @Test
  void varintMatchesTheEncodingGuideExample() {
    // Field 1, wire type 0 -> tag 0x08; 150 = 0b1_0010110 -> 0x96 0x01.
    assertThat(hex(new ProtoWriter().varint(1, 150))).isEqualTo("08 96 01");
  }

  @Test
  void varintBoundariesAndNegativeNumbers() {
    assertThat(hex(new ProtoWriter().varint(1, 0))).isEqualTo("08 00");
    assertThat(hex(new ProtoWriter().varint(1, 127))).isEqualTo("08 7f");
    assertThat(hex(new ProtoWriter().varint(1, 128))).isEqualTo("08 80 01");
    assertThat(hex(new ProtoWriter().varint(1, 16384))).isEqualTo("08 80 80 01");
    // A negative int32 is sign-extended to 64 bits: nine bytes of 0xff and a final 0x01.
    assertThat(hex(new ProtoWriter().varint(1, -1))).isEqualTo("08 ff ff ff ff ff ff ff ff ff 01");
    assertThat(hex(new ProtoWriter().varint(1, Long.MAX_VALUE)))
        .isEqualTo("08 ff ff ff ff ff ff ff ff 7f");
    assertThat(hex(new ProtoWriter().bool(1, true).bool(2, false))).isEqualTo("08 01 10 00");
  }

  @Test
  void varintSizeAgreesWithTheBytesWritten() {
    long[] values = {0, 1, 127, 128, 16383, 16384, 1L << 35, Long.MAX_VALUE, -1, Long.MIN_VALUE};
    for (long v : values) {
      ProtoWriter w = new ProtoWriter().varint(1, v);
      assertThat(w.size() - 1).as("varint size of %d", v).isEqualTo(ProtoWriter.varintSize(v));
    }
  }

  @Test
  void tagsOfLargeFieldNumbers() {
    // Field 16 with wire type 0: (16 << 3) | 0 = 128 -> two-byte tag 80 01.
    assertThat(hex(new ProtoWriter().varint(16, 1))).isEqualTo("80 01 01");
    // Largest field (2^29 - 1) with wire type 5: tag 2^32 - 3 -> fd ff ff ff 0f.
    assertThat(hex(new ProtoWriter().fixed32(ProtoWriter.MAX_FIELD_NUMBER, 0)))
        .isEqualTo("fd ff ff ff 0f 00 00 00 00");
  }

  @Test
  void stringMatchesTheEncodingGuideExample() {
    // Field 2, wire type 2 -> 0x12; length 7; ASCII "testing".
    assertThat(hex(new ProtoWriter().string(2, "testing"))).isEqualTo("12 07 74 65 73 74 69 6e 67");
    // Non-ASCII is UTF-8: U+00E9 is c3 a9.
    assertThat(hex(new ProtoWriter().string(1, "\u00e9"))).isEqualTo("0a 02 c3 a9");
  }

  @Test
  void nestedMessageMatchesTheEncodingGuideExample() {
    ProtoWriter inner = new ProtoWriter().varint(1, 150);
    assertThat(hex(new ProtoWriter().message(3, inner))).isEqualTo("1a 03 08 96 01");
    assertThat(hex(new ProtoWriter().message(1, new ProtoWriter()))).isEqualTo("0a 00");
  }

  @Test
  void packedRepeatedMatchesTheEncodingGuideExample() {
    // 3 -> 03, 270 -> 8e 02, 86942 -> 9e a7 05: six payload bytes.
    assertThat(hex(new ProtoWriter().packedVarints(4, new long[] {3, 270, 86942})))
        .isEqualTo("22 06 03 8e 02 9e a7 05");
    // 1.0f = 0x3f800000 and -2.0f = 0xc0000000, little-endian.
    assertThat(hex(new ProtoWriter().packedFloats(1, new float[] {1f, -2f})))
        .isEqualTo("0a 08 00 00 80 3f 00 00 00 c0");
    // 1.0 = 0x3ff0000000000000.
    assertThat(hex(new ProtoWriter().packedDoubles(1, new double[] {1.0})))
        .isEqualTo("0a 08 00 00 00 00 00 00 f0 3f");
    assertThat(hex(new ProtoWriter().packedVarints(1, new long[0]))).isEqualTo("0a 00");
  }

  @Test
  void fixedWidthFieldsAreLittleEndian() {
    assertThat(hex(new ProtoWriter().fixed32(1, 0x01020304))).isEqualTo("0d 04 03 02 01");
    assertThat(hex(new ProtoWriter().fixed64(1, 0x0102030405060708L)))
        .isEqualTo("09 08 07 06 05 04 03 02 01");
    // 0.5f = 0x3f000000; 0.5 = 0x3fe0000000000000.
    assertThat(hex(new ProtoWriter().float32(1, 0.5f))).isEqualTo("0d 00 00 00 3f");
    assertThat(hex(new ProtoWriter().float64(1, 0.5))).isEqualTo("09 00 00 00 00 00 00 e0 3f");
  }

  @Test
  void bytesRangeAndStreamedHeader() throws IOException {
    byte[] payload = {9, 8, 7, 6};
    assertThat(hex(new ProtoWriter().bytes(5, payload, 1, 2))).isEqualTo("2a 02 08 07");

    // Header then payload streamed separately gives the same bytes as nesting.
    ProtoWriter inner = new ProtoWriter().varint(1, 150);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new ProtoWriter().lengthDelimitedHeader(3, inner.size()).writeTo(out);
    inner.writeTo(out);
    assertThat(out.toByteArray()).isEqualTo(new ProtoWriter().message(3, inner).toByteArray());
  }

  @Test
  void fieldsChainInCallOrderAndTheBufferGrows() {
    ProtoWriter w = new ProtoWriter(0);
    byte[] big = new byte[1000];
    big[999] = 42;
    w.varint(1, 150).bytes(2, big).string(3, "x");
    byte[] out = w.toByteArray();
    // 08 96 01 | 12 e8 07 <1000 bytes> | 1a 01 78
    assertThat(out).hasSize(3 + 3 + 1000 + 3);
    assertThat(out[3]).isEqualTo((byte) 0x12);
    assertThat(out[4]).isEqualTo((byte) 0xe8);
    assertThat(out[5]).isEqualTo((byte) 0x07);
    assertThat(out[6 + 999]).isEqualTo((byte) 42);
    assertThat(out[out.length - 1]).isEqualTo((byte) 'x');
  }

  @Test
  void rejectsIllegalFieldNumbersAndRanges() {
    assertThatThrownBy(() -> new ProtoWriter().varint(0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field number must be in [1, 536870911], got 0");
    assertThatThrownBy(() -> new ProtoWriter().varint(ProtoWriter.MAX_FIELD_NUMBER + 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProtoWriter().bytes(1, new byte[4], 3, 2))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("[3, 3+2) of 4");
    assertThatThrownBy(() -> new ProtoWriter().lengthDelimitedHeader(1, -1))
        .isInstanceOf(IllegalArgumentException.class);
    ProtoWriter w = new ProtoWriter();
    assertThatThrownBy(() -> w.message(1, w)).isInstanceOf(IllegalArgumentException.class);
    assertThat(w.size()).as("a rejected field writes nothing").isZero();
  }
}
