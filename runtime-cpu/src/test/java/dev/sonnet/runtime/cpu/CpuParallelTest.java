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
    CpuParallel.parallelFor(n, 1, (from, to) -> {
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
    CpuParallel.parallelFor(100, 100, (from, to) -> {
      assertThat(from).isZero();
      assertThat(to).isEqualTo(100);
      ran.set(Thread.currentThread());
    });
    assertThat(ran.get()).isSameAs(caller);
  }

  @Test
  void parallelFor_nestedInsideAWorker_runsInlineAndCompletes() {
    AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
    CpuParallel.parallelFor(64, 1, (from, to) -> {
      for (int i = from; i < to; i++) {
        int row = i;
        CpuParallel.parallelFor(64, 1, (f2, t2) -> {
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

  @Test
  void parallelFor_rethrowsAChunksException() {
    assertThatThrownBy(() -> CpuParallel.parallelFor(1000, 1, (from, to) -> {
      if (to == 1000) {
        throw new IllegalStateException("last chunk failed");
      }
    })).hasMessageContaining("last chunk failed");
  }

  @Test
  void grainFor_keepsChunksAboveTheMinimumWork() {
    assertThat(CpuParallel.grainFor(1)).isEqualTo((int) CpuParallel.MIN_PARALLEL_WORK);
    assertThat(CpuParallel.grainFor(CpuParallel.MIN_PARALLEL_WORK * 4)).isEqualTo(1);
    assertThat(CpuParallel.grainFor(0)).isEqualTo((int) CpuParallel.MIN_PARALLEL_WORK);
  }
}
