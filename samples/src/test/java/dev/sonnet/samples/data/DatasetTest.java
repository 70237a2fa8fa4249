package dev.sonnet.samples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.data.DataIterator;
import dev.sonnet.data.Dataset;
import dev.sonnet.data.DatasetException;
import dev.sonnet.data.Datasets;
import dev.sonnet.data.Remainder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The generic stages: map, filter, take, repeat, buffered shuffle, batch. */
class DatasetTest {

  private static Dataset<Integer> range(int n) {
    return Datasets.fromList(IntStream.range(0, n).boxed().toList());
  }

  @Test
  void mapFilterTake_composeInOrder() {
    assertThat(range(10).map(i -> i * i).filter(i -> i % 2 == 0).take(3).toList())
        .containsExactly(0, 4, 16);
    assertThat(range(3).take(0).toList()).isEmpty();
  }

  @Test
  void batch_keepsOrDropsTheRemainder() {
    assertThat(range(7).batch(3, Remainder.KEEP, List::copyOf).toList())
        .containsExactly(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6));
    assertThat(range(7).batch(3, Remainder.DROP, List::copyOf).toList())
        .containsExactly(List.of(0, 1, 2), List.of(3, 4, 5));
    assertThat(range(6).batch(3, Remainder.DROP, l -> l.size()).toList()).containsExactly(3, 3);
  }

  @Test
  void repeat_opensAFreshPassEachTime_andAnEmptyDatasetStaysEmpty() {
    AtomicInteger passes = new AtomicInteger();
    Dataset<Integer> counted =
        new Dataset<>() {
          @Override
          public DataIterator<Integer> open() {
            passes.incrementAndGet();
            return range(2).open();
          }
        };
    assertThat(counted.repeat(3).toList()).containsExactly(0, 1, 0, 1, 0, 1);
    assertThat(passes).hasValue(3);
    assertThat(range(0).repeat().toList()).isEmpty();
    assertThat(range(2).repeat().take(5).toList()).containsExactly(0, 1, 0, 1, 0);
  }

  @Test
  void bufferShuffle_isAPermutation_seeded_newEachPass() {
    Dataset<Integer> s = range(50).shuffle(10, 3);
    List<Integer> first = s.toList();
    List<Integer> second = s.toList();
    assertThat(first).containsExactlyInAnyOrderElementsOf(range(50).toList());
    assertThat(first).isNotEqualTo(range(50).toList());
    assertThat(second).isNotEqualTo(first);
    assertThat(range(50).shuffle(10, 3).toList()).isEqualTo(first);
    // A buffer of one cannot reorder anything.
    assertThat(range(20).shuffle(1, 3).toList()).isEqualTo(range(20).toList());
    // A buffer of k: the element at output position p came from input position < p + k.
    for (int p = 0; p < first.size(); p++) {
      assertThat(first.get(p)).isLessThan(p + 10);
    }
  }

  @Test
  void closedPass_saysItHasEnded() {
    DataIterator<Integer> it = range(3).open();
    assertThat(it.next()).isZero();
    it.close();
    assertThat(it.hasNext()).isFalse();
    it.close(); // idempotent
  }

  @Test
  void badArguments_areErrorsNamingThem() {
    assertThatThrownBy(() -> range(3).batch(0, Remainder.KEEP, List::copyOf))
        .hasMessageContaining("batch: size must be >= 1, got 0");
    assertThatThrownBy(() -> range(3).shuffle(0, 1)).hasMessageContaining("bufferSize");
    assertThatThrownBy(() -> range(3).prefetch(0)).hasMessageContaining("depth must be >= 1");
    assertThatThrownBy(() -> range(3).take(-1)).hasMessageContaining("take");
    assertThatThrownBy(() -> range(3).map(i -> null).toList())
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("map: the function returned null");
  }

  @Test
  void forEach_readsOnePass() {
    List<Integer> seen = new ArrayList<>();
    range(4).forEach(seen::add);
    assertThat(seen).containsExactly(0, 1, 2, 3);
  }
}
