package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataMapTest {
  private static boolean add(MetadataMap.Builder b, String key, String value) {
    b.beginKey();
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    b.accept(k, 0, k.length);
    b.beginValue();
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    b.accept(v, 0, v.length);
    return b.endPair();
  }

  @Test
  void behavesAsAnInsertionOrderedMapOfStrings() {
    MetadataMap.Builder b = new MetadataMap.Builder();
    Map<String, String> expected = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) { // several index and buffer growths
      String key = "k\u00e9" + (i * 7919 % 1000);
      String value = i % 3 == 0 ? "" : "v" + i + "\ud83d\ude00";
      assertThat(add(b, key, value)).isTrue();
      expected.put(key, value);
    }

    Map<String, String> m = b.build();

    assertThat(m).isEqualTo(expected).hasSameHashCodeAs(expected);
    assertThat(m.keySet()).containsExactlyElementsOf(expected.keySet());
    assertThat(m.get("k\u00e9" + 7)).isEqualTo(expected.get("k\u00e9" + 7));
    assertThat(m.containsKey("k\u00e9" + 999)).isTrue();
    assertThat(m.get("k")).isNull();
    assertThat(m.get(42)).isNull();
    assertThat(m.toString()).isEqualTo(expected.toString());
  }

  @Test
  void refusesARepeatedKey_andKeepsTheFirstValue() {
    MetadataMap.Builder b = new MetadataMap.Builder();
    assertThat(add(b, "a", "1")).isTrue();
    assertThat(add(b, "b", "2")).isTrue();

    assertThat(add(b, "a", "3")).isFalse();

    assertThat(b.pendingKey()).isEqualTo("a");
    assertThat(b.build()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
  }

  @Test
  void isEmptyWithoutPairs() {
    assertThat(new MetadataMap.Builder().build()).isEmpty();
  }
}
