package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The header writer: what it writes, {@link JsonReader} reads back unchanged. */
class JsonTest {
  @Test
  void write_thenRead_givesBackTrickyStrings() throws Exception {
    String key = "quote\"and\\slash\u00e9\ud83d\ude00";
    String value = "tab\tnew\nline\u0001\u007f";
    Map<String, Object> map = new LinkedHashMap<>();
    map.put(key, value);
    byte[] text = Json.write(map).getBytes(StandardCharsets.UTF_8);

    JsonReader r = new JsonReader(text, text.length);
    r.beginObject();
    assertThat(r.firstItem('}')).isTrue();
    assertThat(r.nextString()).isEqualTo(key);
    r.expectColon();
    assertThat(r.nextString()).isEqualTo(value);
    assertThat(r.nextItem('}')).isFalse();
    r.endOfText();
  }

  @Test
  void write_writesNumbersListsAndLongArraysCompactly() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("shape", new long[] {2, 3});
    map.put("list", List.of(1L, true));
    map.put("none", null);

    assertThat(Json.write(map)).isEqualTo("{\"shape\":[2,3],\"list\":[1,true],\"none\":null}");
  }

  @Test
  void write_refusesNonFiniteNumbers() {
    assertThatThrownBy(() -> Json.write(List.of(Double.NaN)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
  }

  @Test
  void abbreviate_cutsLongTextForMessages() {
    assertThat(Json.abbreviate("x".repeat(100))).hasSize(60).endsWith("...");
    assertThat(Json.abbreviate("short")).isEqualTo("short");
  }
}
