package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.checkpoint.JsonReader.JsonException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {
  private static JsonReader reader(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return new JsonReader(b, b.length);
  }

  /** Reads an object of arrays of plain integers, the shape of a header's entries. */
  private static Map<String, List<Long>> objectOfIntegerArrays(String text) throws JsonException {
    JsonReader r = reader(text);
    Map<String, List<Long>> out = new LinkedHashMap<>();
    r.beginObject();
    for (boolean more = r.firstItem('}'); more; more = r.nextItem('}')) {
      String key = r.nextString();
      r.expectColon();
      List<Long> values = new ArrayList<>();
      r.beginArray();
      for (boolean m = r.firstItem(']'); m; m = r.nextItem(']')) {
        long v = r.nextPlainNonNegativeLong();
        if (v < 0) {
          throw r.error("not a plain integer: " + r.describeNext());
        }
        values.add(v);
      }
      out.put(key, values);
    }
    r.endOfText();
    return out;
  }

  @Test
  void walksObjectsArraysAndIntegers() throws Exception {
    assertThat(
            objectOfIntegerArrays(
                " {\"a\" : [1, 0,23] ,\n\"b\":[],\t\"\":[9223372036854775807]}\r"))
        .containsExactly(
            Map.entry("a", List.of(1L, 0L, 23L)),
            Map.entry("b", List.of()),
            Map.entry("", List.of(Long.MAX_VALUE)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "{\"a\":[1],}",
        "{\"a\":[1,]}",
        "{\"a\" [1]}",
        "{\"a\":[1]}x",
        "{\"a\":[1]",
        "{\"a\":[1 2]}",
        "{\"a\":[1}",
        "{1:[2]}",
        "{\"a\":[-0]}",
        "{\"a\":[01]}",
        "{\"a\":[+1]}",
        "{\"a\":[1.0]}",
        "{\"a\":[1e3]}",
        "{\"a\":[9223372036854775808]}",
        "{\"a\":[x]}",
        "{\"a\":[1],\"b\":[2]}{}"
      })
  void rejectsMalformedOrNonCanonicalText_namingTheByte(String text) {
    assertThatThrownBy(() -> objectOfIntegerArrays(text))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("at byte");
  }

  @Test
  void nextPlainNonNegativeLong_consumesNothingWhenItRefuses() throws Exception {
    for (String text :
        new String[] {"-0", "01", "+1", "1.5", "2E1", "-3", "99999999999999999999"}) {
      JsonReader r = reader(" " + text + "]");
      assertThat(r.nextPlainNonNegativeLong()).as(text).isEqualTo(-1);
      assertThat(r.describeNext()).as(text).isEqualTo(text);
    }
  }

  @Test
  void describeNext_namesEveryKindOfValue() throws Exception {
    assertThat(reader("{\"a\":1}").describeNext()).isEqualTo("an object");
    assertThat(reader(" [1]").describeNext()).isEqualTo("an array");
    assertThat(reader("\"F\\u0033\"").describeNext()).isEqualTo("the string \"F3\"");
    assertThat(reader("null").describeNext()).isEqualTo("null");
    assertThat(reader("true").describeNext()).isEqualTo("true");
    assertThat(reader("-1.5e3,").describeNext()).isEqualTo("-1.5e3");
    assertThatThrownBy(() -> reader("'a'").describeNext())
        .isInstanceOf(JsonException.class)
        .hasMessage("unexpected character ''' at byte 0");
    assertThatThrownBy(() -> reader("  ").describeNext())
        .hasMessage("unexpected end of the JSON text at byte 2");
  }

  @Test
  void nextString_decodesEscapesAndRawUtf8() throws Exception {
    assertThat(
            reader("\"\\ud83d\\ude00 \\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\u0000\"").nextString())
        .isEqualTo("\ud83d\ude00 \" \\ / \b\f\n\r\t \u00e9 \u0000");
    assertThat(reader("\"caf\u00e9 \u4e2d \ud83d\ude00\"").nextString())
        .isEqualTo("caf\u00e9 \u4e2d \ud83d\ude00");
  }

  @Test
  void nextString_returnsTheKnownInstanceForAnExpectedName() throws Exception {
    String[] known = {"dtype", "shape"};
    assertThat(reader("\"shape\"").nextString(known)).isSameAs(known[1]);
    assertThat(reader("\"sh\\u0061pe\"").nextString(known)).isSameAs(known[1]);
    assertThat(reader("\"shapes\"").nextString(known)).isEqualTo("shapes");
  }

  @Test
  void nextString_handsOverUtf8BytesWithEscapesResolved() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    reader("\"a\\u00e9\u00e9\"").nextString(out::write);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("a\u00e9\u00e9");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"a\u0001\"",
        "\"\\",
        "abc"
      })
  void nextString_rejectsMalformedStrings(String text) {
    assertThatThrownBy(() -> reader(text).nextString())
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("at byte");
  }

  @Test
  void error_namesTheByteOffset() {
    assertThatThrownBy(() -> objectOfIntegerArrays("{\"a\":[1,-0]}"))
        .hasMessage("not a plain integer: -0 at byte 8")
        .isInstanceOf(JsonException.class);
    assertThatThrownBy(() -> objectOfIntegerArrays("{\"a\":[1,]}"))
        .hasMessage("unexpected character ']' at byte 8")
        .isInstanceOf(JsonException.class);
  }
}
