package dev.sonnet.runtime.cpu;

import java.util.Arrays;

/**
 * A per-thread float array that grows on demand and is reused across calls: a kernel's scratch, so
 * that a kernel allocates nothing once its threads have seen its largest call. The contents are
 * whatever the thread's previous use left, unless taken with {@link #zeroed}.
 */
final class FloatScratch {
  private final ThreadLocal<float[][]> array = ThreadLocal.withInitial(() -> new float[][] {{}});

  /** This thread's array, at least {@code length} long. */
  float[] get(int length) {
    float[][] holder = array.get();
    if (holder[0].length < length) {
      holder[0] = new float[length];
    }
    return holder[0];
  }

  /** This thread's array, at least {@code length} long, its first {@code length} elements zero. */
  float[] zeroed(int length) {
    float[] a = get(length);
    Arrays.fill(a, 0, length, 0f);
    return a;
  }
}
