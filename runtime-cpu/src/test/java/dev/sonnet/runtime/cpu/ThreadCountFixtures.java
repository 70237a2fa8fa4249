package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a computation under several thread counts in one JVM ({@link CpuParallel#withThreads}) and
 * asserts that every result has the same bits: the CPU runtime's promise that a seeded run does not
 * depend on the machine's core count.
 */
final class ThreadCountFixtures {
  /** One thread (everything inline), two (the benchmark machine), three (uneven chunks). */
  static final int[] THREAD_COUNTS = {1, 2, 3};

  private ThreadCountFixtures() {}

  /**
   * Computes {@code run} with each of {@link #THREAD_COUNTS} and asserts that each result equals
   * the one-thread result bit for bit. A result is a primitive array or a list of them; floats are
   * compared by their raw bits, so even a NaN's payload or a zero's sign must match.
   */
  static void assertSameBitsForEveryThreadCount(String what, Supplier<?> run) {
    Object expected = CpuParallel.withThreads(THREAD_COUNTS[0], run);
    for (int i = 1; i < THREAD_COUNTS.length; i++) {
      int threads = THREAD_COUNTS[i];
      Object actual = CpuParallel.withThreads(threads, run);
      assertThat(differingElements(expected, actual))
          .as(
              "%s: elements (of %d) that differ between %d and %d threads",
              what, elements(expected), THREAD_COUNTS[0], threads)
          .isZero();
    }
  }

  /** How many elements of two results (same shape) differ in their bits. */
  static int differingElements(Object a, Object b) {
    if (a instanceof List<?> la) {
      List<?> lb = (List<?>) b;
      assertThat(lb).hasSameSizeAs(la);
      int sum = 0;
      for (int i = 0; i < la.size(); i++) {
        sum += differingElements(la.get(i), lb.get(i));
      }
      return sum;
    }
    int n = elements(a);
    assertThat(elements(b)).isEqualTo(n);
    int differing = 0;
    for (int i = 0; i < n; i++) {
      if (bits(a, i) != bits(b, i)) {
        differing++;
      }
    }
    return differing;
  }

  /** The number of elements of a result. */
  static int elements(Object result) {
    return switch (result) {
      case List<?> l -> l.stream().mapToInt(ThreadCountFixtures::elements).sum();
      case float[] v -> v.length;
      case double[] v -> v.length;
      case int[] v -> v.length;
      case long[] v -> v.length;
      case boolean[] v -> v.length;
      default -> throw new IllegalArgumentException("not a result: " + result.getClass());
    };
  }

  private static long bits(Object array, int i) {
    return switch (array) {
      case float[] v -> Float.floatToRawIntBits(v[i]);
      case double[] v -> Double.doubleToRawLongBits(v[i]);
      case int[] v -> v[i];
      case long[] v -> v[i];
      case boolean[] v -> v[i] ? 1 : 0;
      default -> throw new IllegalArgumentException("not an array: " + array.getClass());
    };
  }
}
