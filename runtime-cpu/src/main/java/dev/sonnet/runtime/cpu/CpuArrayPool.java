package dev.sonnet.runtime.cpu;

import dev.sonnet.tensor.DType;
import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Arrays of released {@link CpuBuffer}s kept for reuse by {@link CpuBackend#allocateUninitialized},
 * keyed by dtype and length.
 *
 * <p>Why: Java cannot allocate an array without zeroing it, and a 64 MB output zeroed and later
 * collected costs more than the elementwise kernel that fills it. A caller that releases its
 * tensors ({@code Tensor.release()}, or a {@code TensorScope}) gets the same arrays back, with no
 * zeroing and no garbage.
 *
 * <p>Safety rests on {@link CpuBuffer}'s ownership invariant: a released buffer's array is held by
 * nothing else, and {@link CpuBuffer#release} hands it over at most once. Arrays of at least
 * {@value #MIN_ELEMENTS} elements are kept here, at most {@value #PER_KEY} per key, at most {@link
 * #capacityBytes()} in all (system property {@value #BYTES_PROPERTY}, default an eighth of the
 * maximum heap; 0 disables the pool), and through soft references, so the collector can take them
 * back under memory pressure. Smaller arrays go to the releasing thread's own {@link
 * ThreadArrayCache} instead (no lock, no allocation). Arrays are never zeroed here: {@link
 * CpuBuffer} zeroes one it hands to a caller that needs zeros.
 */
final class CpuArrayPool {
  /** System property: the most bytes the pool retains; {@code 0} turns it off. */
  static final String BYTES_PROPERTY = "sonnet.cpu.pool.bytes";

  /** Smallest array kept in this shared pool (elements); smaller ones are cached per thread. */
  static final int MIN_ELEMENTS = 1 << 16;

  /** Most arrays kept per (dtype, length). */
  static final int PER_KEY = 16;

  private static final long CAPACITY = configuredCapacity();
  private static final Map<Long, ArrayDeque<SoftReference<Object>>> FREE = new HashMap<>();
  private static long retainedBytes;

  private CpuArrayPool() {}

  /** The most bytes the pool retains. */
  static long capacityBytes() {
    return CAPACITY;
  }

  /** Keeps {@code array} (of {@code length} elements) for reuse if it is worth it and fits. */
  static void offer(DType dtype, Object array, int length) {
    if (length < MIN_ELEMENTS) {
      ThreadArrayCache.offer(dtype, array, length);
      return;
    }
    if (CAPACITY == 0) {
      return;
    }
    long bytes = bytes(dtype, length);
    synchronized (FREE) {
      ArrayDeque<SoftReference<Object>> q =
          FREE.computeIfAbsent(key(dtype, length), k -> new ArrayDeque<>());
      dropCleared(q, dtype, length);
      if (q.size() >= PER_KEY || retainedBytes + bytes > CAPACITY) {
        return;
      }
      q.push(new SoftReference<>(array));
      retainedBytes += bytes;
    }
  }

  /** A pooled array of {@code dtype} and exactly {@code length} elements, or null. */
  static Object take(DType dtype, int length) {
    if (length < MIN_ELEMENTS) {
      return ThreadArrayCache.take(dtype, length);
    }
    if (CAPACITY == 0) {
      return null;
    }
    long bytes = bytes(dtype, length);
    synchronized (FREE) {
      ArrayDeque<SoftReference<Object>> q = FREE.get(key(dtype, length));
      if (q == null) {
        return null;
      }
      SoftReference<Object> ref;
      while ((ref = q.poll()) != null) {
        retainedBytes -= bytes;
        Object a = ref.get();
        if (a != null) {
          return a;
        }
      }
      return null;
    }
  }

  /** Empties the pool (tests). */
  static void clear() {
    synchronized (FREE) {
      FREE.clear();
      retainedBytes = 0;
    }
  }

  /** Bytes currently accounted to pooled arrays (tests). */
  static long retainedBytes() {
    synchronized (FREE) {
      return retainedBytes;
    }
  }

  private static void dropCleared(ArrayDeque<SoftReference<Object>> q, DType dtype, int length) {
    if (q.removeIf(r -> r.get() == null)) {
      // Recount this key's share: the removed references no longer hold memory.
      long kept = 0;
      for (Map.Entry<Long, ArrayDeque<SoftReference<Object>>> e : FREE.entrySet()) {
        long k = e.getKey();
        kept += e.getValue().size() * bytes(DType.values()[(int) (k >>> 32)], (int) k);
      }
      retainedBytes = kept;
    }
  }

  private static long key(DType dtype, int length) {
    return ((long) dtype.ordinal() << 32) | (length & 0xffffffffL);
  }

  static long bytes(DType dtype, int length) {
    int width =
        switch (dtype) {
          case FLOAT32, INT32 -> 4;
          case FLOAT64, INT64 -> 8;
          case BOOL -> 1;
          case BFLOAT16, FLOAT16 -> 2;
        };
    return (long) width * length;
  }

  private static long configuredCapacity() {
    return bytesProperty(BYTES_PROPERTY, Runtime.getRuntime().maxMemory() / 8);
  }

  /**
   * A non-negative byte count from system property {@code name}; {@code fallback} when it is unset
   * or not a number.
   */
  static long bytesProperty(String name, long fallback) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
