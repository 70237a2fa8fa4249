package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
  @Test
  void parse_readsObjectsArraysAndScalars() throws Exception {
    Object v = Json.parse(" {\"a\": [1, -2, 3.5e1], \"b\": \"x\\u00e9\\n\", \"c\": true,"
        + " \"d\": null, \"e\": {}} ");

    assertThat(v).isEqualTo(Map.of("a", List.of(1L, -2L, 35.0), "b", "x\u00e9\n", "c", true,
        "d", Json.NULL, "e", Map.of()));
  }

  @Test
  void parse_keepsKeyOrder() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse("{\"z\":1,\"a\":2,\"m\":3}");

    assertThat(m.keySet()).containsExactly("z", "a", "m");
  }

  @Test
  void parse_readsSurrogatePairEscapes() throws Exception {
    assertThat(Json.parse("\"\\ud83d\\ude00\"")).isEqualTo("\ud83d\ude00");
  }

  @Test
  void parse_acceptsLongExtremes() throws Exception {
    assertThat(Json.parse("[9223372036854775807,-9223372036854775808]"))
        .isEqualTo(List.of(Long.MAX_VALUE, Long.MIN_VALUE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{\"a\":1}x", "01",
      "1.", "-", "1e", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"a\u0001\"", "tru",
      "nul", "{1:2}", "{\"a\":1,\"a\":2}", "99999999999999999999", "9223372036854775808",
      "1e400", "[1 2]", "'a'", "\"\\udc00\""})
  void parse_rejectsMalformedText(String text) {
    assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(Json.JsonException.class)
        .hasMessageContaining("at character");
  }

  @Test
  void parse_rejectsDeepNestingWithoutOverflowingTheStack() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);

    assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(Json.JsonException.class)
        .hasMessageContaining("nesting deeper than " + Json.MAX_DEPTH);
  }

  @Test
  void parse_namesTheDuplicateKey() {
    assertThatThrownBy(() -> Json.parse("{\"w\":1,\"w\":2}"))
        .hasMessageContaining("duplicate key \"w\"");
  }

  @Test
  void write_thenParse_givesTheSameValue() throws Exception {
    Map<String, Object> value = new java.util.LinkedHashMap<>();
    value.put("quote\"and\\slash", "tab\tnew\nline\u0001");
    value.put("n", List.of(1L, 2L));
    value.put("t", true);

    assertThat(Json.parse(Json.write(value))).isEqualTo(value);
  }
}
