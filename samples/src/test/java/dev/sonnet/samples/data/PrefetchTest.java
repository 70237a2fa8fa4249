package dev.sonnet.samples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.data.DataIterator;
import dev.sonnet.data.Dataset;
import dev.sonnet.data.DatasetException;
import dev.sonnet.data.Datasets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Background prefetch: same elements, bounded look-ahead, errors delivered, no thread left. */
class PrefetchTest {

  private static Dataset<Integer> range(int n) {
    return Datasets.fromList(IntStream.range(0, n).boxed().toList());
  }

  /** Prefetch threads still alive (they are named sonnet-prefetch-N). */
  private static List<Thread> prefetchThreads() {
    List<Thread> out = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("sonnet-prefetch-") && t.isAlive()) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void givesTheSameElementsInOrder_onAnotherThread_andLeavesNoThread() {
    ConcurrentLinkedQueue<String> producers = new ConcurrentLinkedQueue<>();
    Dataset<Integer> d =
        range(100)
            .map(
                i -> {
                  producers.add(Thread.currentThread().getName());
                  return i;
                })
            .prefetch(3);
    assertThat(d.toList()).isEqualTo(range(100).toList());
    assertThat(producers).allMatch(n -> n.startsWith("sonnet-prefetch-"));
    assertThat(prefetchThreads()).isEmpty(); // the end of the pass joined its thread
  }

  @Test
  void staysAtMostDepthElementsAhead() throws InterruptedException {
    AtomicInteger produced = new AtomicInteger();
    Dataset<Integer> d = range(1000).map(i -> produced.incrementAndGet()).prefetch(4);
    try (DataIterator<Integer> it = d.open()) {
      assertThat(it.next()).isEqualTo(1);
      TimeUnit.MILLISECONDS.sleep(300); // ample time for the producer to run ahead if it could
      // One taken, four queued, at most one more made and waiting for room.
      assertThat(produced.get()).isBetween(5, 6);
    }
  }

  @Test
  void closingEarly_stopsAndJoinsTheThread() {
    Dataset<Integer> d = range(1_000_000).prefetch(2);
    for (int k = 0; k < 5; k++) {
      try (DataIterator<Integer> it = d.open()) {
        assertThat(it.next()).isZero();
        assertThat(prefetchThreads()).hasSize(1);
      }
      assertThat(prefetchThreads()).isEmpty();
    }
  }

  @Test
  void anExceptionInTheBackground_reachesTheReaderAtItsElement_withTheCause() {
    IllegalStateException boom = new IllegalStateException("bad record 7");
    Dataset<Integer> d =
        range(20)
            .map(
                i -> {
                  if (i == 7) {
                    throw boom;
                  }
                  return i;
                })
            .prefetch(2);
    List<Integer> seen = new ArrayList<>();
    try (DataIterator<Integer> it = d.open()) {
      assertThatThrownBy(
              () -> {
                while (it.hasNext()) {
                  seen.add(it.next());
                }
              })
          .isInstanceOf(DatasetException.class)
          .hasMessageContaining("at element 7 of the pass")
          .hasMessageContaining("IllegalStateException: bad record 7")
          .hasCause(boom);
      assertThat(it.hasNext()).isFalse();
    }
    assertThat(seen).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(prefetchThreads()).isEmpty();
  }

  @Test
  void upstreamPassIsClosed_whenThePrefetchingPassCloses() {
    AtomicInteger closed = new AtomicInteger();
    Dataset<Integer> tracked =
        new Dataset<>() {
          @Override
          public DataIterator<Integer> open() {
            DataIterator<Integer> in = range(1000).open();
            return new DataIterator<>() {
              @Override
              public boolean hasNext() {
                return in.hasNext();
              }

              @Override
              public Integer next() {
                return in.next();
              }

              @Override
              public void close() {
                closed.incrementAndGet();
                in.close();
              }
            };
          }
        };
    try (DataIterator<Integer> it = tracked.prefetch(2).open()) {
      it.next();
    }
    assertThat(closed).hasValue(1);
  }
}
