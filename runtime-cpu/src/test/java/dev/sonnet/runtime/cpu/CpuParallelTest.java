package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The shared pool: coverage of the range, inline small work, nesting and error propagation. */
class CpuParallelTest {

  @Test
  void threads_isAtLeastOne() {
    assertThat(CpuParallel.threads()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void parallelFor_coversEveryItemExactlyOnce() {
    int n = 10_007;
    AtomicIntegerArray hits = new AtomicIntegerArray(n);
    CpuParallel.parallelFor(
        n,
        1,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            hits.incrementAndGet(i);
          }
        });
    for (int i = 0; i < n; i++) {
      assertThat(hits.get(i)).as("item %d", i).isEqualTo(1);
    }
  }

  @Test
  void parallelFor_runsSmallWorkInlineOnTheCaller() {
    Thread caller = Thread.currentThread();
    AtomicReference<Thread> ran = new AtomicReference<>();
    CpuParallel.parallelFor(
        100,
        100,
        (from, to) -> {
          assertThat(from).isZero();
          assertThat(to).isEqualTo(100);
          ran.set(Thread.currentThread());
        });
    assertThat(ran.get()).isSameAs(caller);
  }

  @Test
  void parallelFor_nestedInsideAWorker_runsInlineAndCompletes() {
    AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
    CpuParallel.parallelFor(
        64,
        1,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            int row = i;
            CpuParallel.parallelFor(
                64,
                1,
                (f2, t2) -> {
                  for (int j = f2; j < t2; j++) {
                    hits.incrementAndGet(row * 64 + j);
                  }
                });
          }
        });
    for (int i = 0; i < 64 * 64; i++) {
      assertThat(hits.get(i)).isEqualTo(1);
    }
  }

  /**
   * One-item chunks claimed as threads come free: every item once, each call of the body a single
   * item, a failing item rethrown. (Which threads take part depends on the pool's configured size,
   * which tests do not fix.)
   */
  @Test
  void parallelForEach_runsEveryItemOnceAsItsOwnChunk() {
    int n = 37;
    AtomicIntegerArray hits = new AtomicIntegerArray(n);
    CpuParallel.withThreads(
        2,
        () -> {
          CpuParallel.parallelForEach(
              n,
              (from, to) -> {
                assertThat(to - from).isEqualTo(1);
                hits.incrementAndGet(from);
              });
          return null;
        });
    for (int i = 0; i < n; i++) {
      assertThat(hits.get(i)).as("item %d", i).isEqualTo(1);
    }
    assertThatThrownBy(
            () ->
                CpuParallel.withThreads(
                    2,
                    () -> {
                      CpuParallel.parallelForEach(
                          9,
                          (from, to) -> {
                            if (from == 8) {
                              throw new IllegalStateException("item 8 failed");
                            }
                          });
                      return null;
                    }))
        .hasMessageContaining("item 8 failed");
  }

  @Test
  void parallelFor_rethrowsAChunksException() {
    assertThatThrownBy(
            () ->
                CpuParallel.parallelFor(
                    1000,
                    1,
                    (from, to) -> {
                      if (to == 1000) {
                        throw new IllegalStateException("last chunk failed");
                      }
                    }))
        .hasMessageContaining("last chunk failed");
  }

  @Test
  void grainFor_keepsChunksAboveTheMinimumWork() {
    assertThat(CpuParallel.grainFor(1)).isEqualTo((int) CpuParallel.MIN_PARALLEL_WORK);
    assertThat(CpuParallel.grainFor(CpuParallel.MIN_PARALLEL_WORK * 4)).isEqualTo(1);
    assertThat(CpuParallel.grainFor(0)).isEqualTo((int) CpuParallel.MIN_PARALLEL_WORK);
  }

  @Test
  void parallelFor_afterTheWorkersHaveParked_stillCompletes() throws Exception {
    for (int round = 0; round < 5; round++) {
      Thread.sleep(2); // well past the spin: the workers are parked
      AtomicIntegerArray hits = new AtomicIntegerArray(5000);
      CpuParallel.parallelFor(
          5000,
          1,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              hits.incrementAndGet(i);
            }
          });
      for (int i = 0; i < 5000; i++) {
        assertThat(hits.get(i)).isEqualTo(1);
      }
    }
  }

  @Test
  void parallelFor_fromConcurrentCallers_coversEachRangeOnce() throws Exception {
    int callers = 4;
    int n = 3001;
    AtomicIntegerArray hits = new AtomicIntegerArray(callers * n);
    java.util.List<Thread> threads = new java.util.ArrayList<>();
    AtomicReference<Throwable> error = new AtomicReference<>();
    for (int c = 0; c < callers; c++) {
      int base = c * n;
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int rep = 0; rep < 200; rep++) {
                    CpuParallel.parallelFor(
                        n,
                        7,
                        (from, to) -> {
                          for (int i = from; i < to; i++) {
                            hits.incrementAndGet(base + i);
                          }
                        });
                  }
                } catch (Throwable e) {
                  error.set(e);
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(error.get()).isNull();
    for (int i = 0; i < callers * n; i++) {
      assertThat(hits.get(i)).as("item %d", i).isEqualTo(200);
    }
  }

  @Test
  void parallelFor_rethrowsAnError() {
    assertThatThrownBy(
            () ->
                CpuParallel.parallelFor(
                    1000,
                    1,
                    (from, to) -> {
                      if (from == 0) {
                        throw new AssertionError("first chunk failed");
                      }
                    }))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("first chunk failed");
  }

  @Test
  void runsInline_forSmallWork() {
    assertThat(CpuParallel.runsInline(100, 1024)).isTrue();
    assertThat(CpuParallel.runsInline(4096, 1 << 15)).isTrue();
  }

  @Test
  void withThreads_splitsAsIfThePoolHadThatManyThreads_thenRestores() {
    int before = CpuParallel.threads();
    for (int threads : new int[] {1, 2, 3, 5}) {
      java.util.Set<Integer> starts = java.util.concurrent.ConcurrentHashMap.newKeySet();
      int seen =
          CpuParallel.withThreads(
              threads,
              () -> {
                CpuParallel.parallelFor(10_000, 1, (from, to) -> starts.add(from));
                return CpuParallel.threads();
              });
      assertThat(seen).isEqualTo(threads);
      assertThat(starts).hasSize(threads);
    }
    assertThat(CpuParallel.threads()).isEqualTo(before);
  }

  @Test
  void withThreads_rejectsFewerThanOne() {
    assertThatThrownBy(() -> CpuParallel.withThreads(0, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parallelFor_aligned_startsEveryChunkOnAMultipleAndCoversEachItemOnce() {
    int n = 10_007;
    AtomicIntegerArray hits = new AtomicIntegerArray(n);
    java.util.Set<Integer> starts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    CpuParallel.withThreads(
        3,
        () -> {
          CpuParallel.parallelFor(
              n,
              1,
              CpuParallel.VECTOR_ALIGNMENT,
              (from, to) -> {
                starts.add(from);
                for (int i = from; i < to; i++) {
                  hits.incrementAndGet(i);
                }
              });
          return null;
        });
    assertThat(starts)
        .hasSize(3)
        .allSatisfy(start -> assertThat(start % CpuParallel.VECTOR_ALIGNMENT).isZero());
    for (int i = 0; i < n; i++) {
      assertThat(hits.get(i)).as("item %d", i).isEqualTo(1);
    }
  }
}
