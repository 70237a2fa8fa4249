package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.HalfFloats;
import dev.sonnet.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The file layout itself, without a backend: writing, reading, and refusing bad files. */
class SafeTensorsTest {
  @TempDir Path dir;

  static Path rawFile(Path dir, String name, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  static Map<String, HostArray> everyDType() {
    Map<String, HostArray> m = new LinkedHashMap<>();
    m.put(
        "f32",
        HostArray.of(new float[] {1.5f, -2f, 0f, Float.MIN_VALUE, Float.NaN, 7f}, Shape.of(2, 3)));
    m.put("f64", HostArray.of(new double[] {Math.PI, -1e300}, Shape.of(2)));
    m.put("i32", HostArray.of(new int[] {Integer.MIN_VALUE, 0, 42}, Shape.of(3, 1)));
    m.put("i64", HostArray.of(new long[] {Long.MAX_VALUE}, Shape.SCALAR));
    m.put("bool", HostArray.of(new boolean[] {true, false, true}, Shape.of(3)));
    m.put("empty", HostArray.of(new float[0], Shape.of(0, 4)));
    return m;
  }

  @Test
  void write_thenRead_givesBackEveryDTypeAndTheMetadata() {
    Path p = dir.resolve("all.safetensors");
    Map<String, HostArray> tensors = everyDType();

    SafeTensors.write(p, tensors, Map.of("note", "hello"));

    try (SafeTensorsFile f = SafeTensors.open(p)) {
      assertThat(f.metadata()).containsEntry("note", "hello");
      assertThat(f.entries())
          .extracting(SafeTensorsFile.Entry::name)
          .containsExactly("f32", "f64", "i32", "i64", "bool", "empty");
      for (Map.Entry<String, HostArray> e : tensors.entrySet()) {
        assertThat(f.read(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void write_producesTheDocumentedLayout() throws IOException {
    Path p = dir.resolve("w.safetensors");

    SafeTensors.write(p, Map.of("w", HostArray.of(new float[] {1f, 2f}, Shape.of(2))), Map.of());

    byte[] bytes = Files.readAllBytes(p);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong(0);
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertThat(header.strip())
        .isEqualTo("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
    assertThat((8 + n) % 8).as("data starts 8-byte aligned").isZero();
    assertThat(b.getFloat((int) (8 + n))).isEqualTo(1f);
    assertThat(b.getFloat((int) (8 + n + 4))).isEqualTo(2f);
    assertThat(bytes).hasSize((int) (8 + n + 8));
  }

  @Test
  void read_keepsF16AndBF16_asTheirBits() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    data.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f));
    data.putShort((short) (Float.floatToIntBits(3.0f) >>> 16));
    data.putShort((short) (Float.floatToIntBits(-0.5f) >>> 16));
    Path p =
        rawFile(
            dir,
            "half.safetensors",
            "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],"
                + "\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],"
                + "\"data_offsets\":[4,8]}}",
            data.array());

    try (SafeTensorsFile f = SafeTensors.open(p)) {
      assertThat(f.entry("h").dtype()).isEqualTo(DType.FLOAT16);
      assertThat(f.entry("b").dtype()).isEqualTo(DType.BFLOAT16);
      assertThat(HalfFloats.fromBits(DType.FLOAT16, f.read("h").bits())).containsExactly(1.5f, -2f);
      assertThat(HalfFloats.fromBits(DType.BFLOAT16, f.read("b").bits()))
          .containsExactly(3f, -0.5f);
    }
  }

  @Test
  void read_refusesUnsupportedDTypeButStillOpensTheFile() throws IOException {
    Path p =
        rawFile(
            dir,
            "u8.safetensors",
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],"
                + "\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"F32\",\"shape\":[],"
                + "\"data_offsets\":[2,6]}}",
            new byte[] {1, 2, 0, 0, (byte) 0x80, 0x3f});

    try (SafeTensorsFile f = SafeTensors.open(p)) {
      assertThat(f.read("b").floats()).containsExactly(1f);
      assertThatThrownBy(() -> f.read("a"))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining("u8.safetensors")
          .hasMessageContaining("unsupported dtype U8");
    }
  }

  @Test
  void open_failsOnEmptyFile() throws IOException {
    Path p = dir.resolve("empty.safetensors");
    Files.write(p, new byte[0]);

    assertFormatError(p, "0 bytes long");
  }

  @Test
  void open_failsOnHeaderLengthBeyondTheFile() throws IOException {
    Path p = rawFile(dir, "short.safetensors", "{}", new byte[0]);
    byte[] bytes = Files.readAllBytes(p);
    bytes[0] = 100;
    Files.write(p, bytes);

    assertFormatError(p, "the header length says 100 bytes but only 2 bytes follow it");
  }

  @Test
  void open_failsOnHugeHeaderLengthWithoutAllocatingIt() throws IOException {
    Path p = dir.resolve("huge.safetensors");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(Long.MAX_VALUE - 3).putLong(0);
    Files.write(p, b.array());

    assertFormatError(p, "between 2 and 100000000 bytes");
  }

  @Test
  void open_failsOnBadJson() throws IOException {
    assertFormatError(
        rawFile(dir, "bad.safetensors", "{\"a\":", new byte[0]), "the header is not valid JSON");
  }

  @Test
  void open_failsOnUnknownDType() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "q.safetensors",
            "{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}",
            new byte[1]),
        "unknown dtype \"Q7\"");
  }

  @Test
  void open_failsWhenOffsetsDisagreeWithShape() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "lie.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
            new byte[8]),
        "needs 3 x 4 = 12 bytes");
  }

  @Test
  void open_failsWhenDataRunsPastTheFile() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "trunc.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
            new byte[12]),
        "past the end of the data section, which holds 12 bytes");
  }

  @Test
  void open_failsOnOverlappingTensors() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "overlap.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            new byte[12]),
        "overlap");
  }

  @Test
  void open_failsOnDataNoTensorDescribes() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "gap.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            new byte[8]),
        "bytes [0, 4) of the data section belong to no tensor");
  }

  @Test
  void open_failsOnShapeWhoseSizeOverflows() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "overflow.safetensors",
            "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
            new byte[8]),
        "does not fit in 64 bits");
  }

  @Test
  void open_failsOnNegativeDimension() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "neg.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
            new byte[4]),
        "shape[0] = -1; it must be a non-negative integer");
  }

  @Test
  void open_failsOnMinusZeroDimension() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "minus-zero-shape.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,-0],\"data_offsets\":[0,0]}}",
            new byte[0]),
        "tensor \"a\" has shape[1] = -0; it must be a non-negative integer");
  }

  @Test
  void open_failsOnMinusZeroOffset() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "minus-zero-offset.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-0,4]}}",
            new byte[4]),
        "tensor \"a\" has data_offsets[0] = -0; it must be a non-negative integer");
  }

  @ParameterizedTest
  @ValueSource(strings = {"01", "+1", "1.0", "1e0", "4E0", "0.5", "-4", "9223372036854775808"})
  void open_failsOnOffsetThatIsNotAPlainNonNegativeInteger(String offset) throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "odd-offset.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0," + offset + "]}}",
            new byte[4]),
        "tensor \"a\" has data_offsets[1] = " + offset + "; it must be a non-negative integer");
  }

  @Test
  void open_readsEscapedNamesAndMetadata() throws IOException {
    Path p =
        rawFile(
            dir,
            "escaped.safetensors",
            "{\"__metadata__\":{\"k\\u00e9\":\"v\\n\u00e9\"},"
                + "\"w\\/\\u00e9\":{\"data_offsets\":[0,4],\"shape\":[],\"d\\u0074ype\":\"F32\"}}",
            new byte[] {0, 0, (byte) 0x80, 0x3f});

    try (SafeTensorsFile f = SafeTensors.open(p)) {
      assertThat(f.metadata()).containsExactly(Map.entry("k\u00e9", "v\n\u00e9"));
      assertThat(f.read("w/\u00e9").floats()).containsExactly(1f);
    }
  }

  @Test
  void open_failsOnHeaderThatIsNotUtf8() throws IOException {
    byte[] header = "{\"a\u00e9\":{}}".getBytes(StandardCharsets.UTF_8);
    header[3] = (byte) 0xC0; // an overlong lead byte
    Path p = rawFile(dir, "latin1.safetensors", "", new byte[0]);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
    Files.write(p, b.putLong(header.length).put(header).array());

    assertFormatError(p, "the header is not valid UTF-8 text (byte 3 of the header)");
  }

  @Test
  void open_failsOnDuplicateTensorMetadataOrField() throws IOException {
    String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}";
    assertFormatError(
        rawFile(dir, "dup.safetensors", "{" + a + "," + a + "}", new byte[4]),
        "the header is not valid JSON: duplicate key \"a\" at byte 53");
    assertFormatError(
        rawFile(
            dir,
            "dup-meta.safetensors",
            "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}",
            new byte[0]),
        "duplicate key \"k\" in \"__metadata__\" at byte 25");
    assertFormatError(
        rawFile(
            dir, "dup-metas.safetensors", "{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0]),
        "duplicate key \"__metadata__\"");
    assertFormatError(
        rawFile(
            dir,
            "dup-field.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"dtype\":\"F32\"}}",
            new byte[4]),
        "duplicate key \"dtype\"");
  }

  @Test
  void open_failsOnUnknownOrMissingFieldsAndWrongTypes() throws IOException {
    assertFormatError(
        rawFile(
            dir,
            "field.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"offsets\":[0,4]}}",
            new byte[4]),
        "tensor \"a\" has an unknown field \"offsets\"; expected dtype, shape and data_offsets");
    assertFormatError(
        rawFile(
            dir, "missing.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[]}}", new byte[4]),
        "tensor \"a\" needs a \"data_offsets\" array of integers, got nothing");
    assertFormatError(
        rawFile(
            dir,
            "type.safetensors",
            "{\"a\":{\"dtype\":32,\"shape\":[],\"data_offsets\":[0,4]}}",
            new byte[4]),
        "tensor \"a\" needs a string \"dtype\", got 32");
    assertFormatError(
        rawFile(
            dir,
            "shape.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":\"[]\",\"data_offsets\":[0,4]}}",
            new byte[4]),
        "tensor \"a\" needs a \"shape\" array of integers, got the string \"[]\"");
    assertFormatError(
        rawFile(
            dir,
            "three.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4,4]}}",
            new byte[4]),
        "tensor \"a\" has a \"data_offsets\" of 3 numbers; it needs 2");
    assertFormatError(
        rawFile(dir, "null.safetensors", "{\"a\":null}", new byte[0]),
        "tensor \"a\" must be described by a JSON object, got null");
    assertFormatError(
        rawFile(dir, "meta-array.safetensors", "{\"__metadata__\":[]}", new byte[0]),
        "\"__metadata__\" must be a JSON object of strings, got an array");
    assertFormatError(
        rawFile(dir, "trailing.safetensors", "{} {}", new byte[0]),
        "unexpected content after the end of the JSON value at byte 3");
  }

  @Test
  void open_failsOnDeepNestingWithoutRecursing() throws IOException {
    String deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    assertFormatError(
        rawFile(
            dir,
            "deep.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":" + deep + ",\"data_offsets\":[0,4]}}",
            new byte[4]),
        "tensor \"a\" has shape[0] = an array; it must be a non-negative integer");
    assertFormatError(
        rawFile(dir, "deep-top.safetensors", "{\"a\":" + deep + "}", new byte[0]),
        "tensor \"a\" must be described by a JSON object, got an array");
  }

  @Test
  void open_failsOnNonStringMetadata() throws IOException {
    assertFormatError(
        rawFile(dir, "meta.safetensors", "{\"__metadata__\":{\"a\":1}}", new byte[0]),
        "metadata entry \"a\" must be a string");
  }

  @Test
  void read_failsOnBoolByteOtherThanZeroOrOne() throws IOException {
    Path p =
        rawFile(
            dir,
            "bool.safetensors",
            "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}",
            new byte[] {1, 7});

    try (SafeTensorsFile f = SafeTensors.open(p)) {
      assertThatThrownBy(() -> f.read("m"))
          .isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("holds the byte 7 at element 1");
    }
  }

  @Test
  void read_failsClearlyWhenTheFileIsTruncatedAfterOpening() throws IOException {
    Path p = dir.resolve("later.safetensors");
    SafeTensors.write(p, Map.of("w", HostArray.of(new float[1000], Shape.of(1000))), Map.of());

    try (SafeTensorsFile f = SafeTensors.open(p)) {
      try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(200);
      }
      assertThatThrownBy(() -> f.read("w"))
          .isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("later.safetensors")
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void read_handlesTensorsLargerThanTheReadBuffer() {
    Path p = dir.resolve("big.safetensors");
    double[] values = new double[400_000]; // 3.2 MB: several read chunks
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5;
    }
    SafeTensors.write(p, Map.of("big", HostArray.of(values, Shape.of(400, 1000))), Map.of());

    try (SafeTensorsFile f = SafeTensors.open(p)) {
      assertThat(f.read("big").doubles()).isEqualTo(values);
    }
  }

  @Test
  void open_failsOnMissingFileNamingIt() {
    Path p = dir.resolve("nope.safetensors");

    assertThatThrownBy(() -> SafeTensors.open(p))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("nope.safetensors: no such file");
  }

  private static void assertFormatError(Path p, String problem) {
    assertThatThrownBy(() -> SafeTensors.open(p).close())
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(p.getFileName().toString())
        .hasMessageContaining(problem);
  }
}
