package dev.sonnet.runtime.cpu;

import dev.sonnet.tensor.DType;
import java.util.Arrays;

/**
 * Per-thread free lists of small released arrays (below {@link CpuArrayPool#MIN_ELEMENTS}
 * elements), so that a loop of small operations whose tensors are released (a {@code TensorScope})
 * reuses the same arrays and allocates none.
 *
 * <p>Why per thread and not shared: a small op takes well under a microsecond, so its array must
 * come back without a lock, a map lookup with boxed keys, or a soft reference (each an allocation
 * or tens of nanoseconds). Arrays are released and reallocated by the thread that runs the op layer
 * (kernels on pool workers never allocate), so the thread's own list is where they are wanted.
 *
 * <p>A small open-addressing table maps (dtype, length) to a stack of at most {@value #DEPTH}
 * arrays; at most {@value #SLOTS} distinct keys and {@link #capacityBytes()} bytes per thread are
 * kept (system property {@value #BYTES_PROPERTY}, default 8 MiB; 0 disables it). What does not fit
 * is left to the garbage collector. Arrays are held strongly: the bound is small.
 */
final class ThreadArrayCache {
  /** System property: the most bytes one thread keeps; {@code 0} turns the cache off. */
  static final String BYTES_PROPERTY = "sonnet.cpu.pool.threadBytes";

  /** Distinct (dtype, length) keys per thread; a power of two. */
  static final int SLOTS = 64;

  /** Arrays kept per key. */
  static final int DEPTH = 16;

  private static final long CAPACITY = configuredCapacity();
  private static final ThreadLocal<ThreadArrayCache> CACHE =
      ThreadLocal.withInitial(ThreadArrayCache::new);

  /** Key per slot: dtype ordinal + 1 in the high word, length in the low; 0 = never used. */
  private final long[] keys = new long[SLOTS];

  private final Object[][] stacks = new Object[SLOTS][];
  private final int[] counts = new int[SLOTS];
  private long bytes;

  private ThreadArrayCache() {}

  /** The most bytes one thread keeps. */
  static long capacityBytes() {
    return CAPACITY;
  }

  /** Keeps {@code array} for this thread's next {@link #take} of the same dtype and length. */
  static void offer(DType dtype, Object array, int length) {
    if (CAPACITY == 0 || length == 0) {
      return;
    }
    CACHE.get().push(dtype, array, length);
  }

  /**
   * An array of {@code dtype} and exactly {@code length} elements released on this thread, or null.
   */
  static Object take(DType dtype, int length) {
    if (CAPACITY == 0 || length == 0) {
      return null;
    }
    return CACHE.get().pop(dtype, length);
  }

  /** Empties this thread's cache (tests). */
  static void clearThisThread() {
    ThreadArrayCache c = CACHE.get();
    for (int s = 0; s < SLOTS; s++) {
      if (c.stacks[s] != null) {
        Arrays.fill(c.stacks[s], null);
      }
      c.counts[s] = 0;
    }
    c.bytes = 0;
  }

  /** Bytes this thread's cache holds (tests). */
  static long bytesOfThisThread() {
    return CACHE.get().bytes;
  }

  private void push(DType dtype, Object array, int length) {
    long size = CpuArrayPool.bytes(dtype, length);
    if (bytes + size > CAPACITY) {
      return;
    }
    long key = key(dtype, length);
    int slot = slotFor(key);
    if (slot < 0 || counts[slot] == DEPTH) {
      return;
    }
    if (keys[slot] != key) {
      keys[slot] = key;
    }
    Object[] stack = stacks[slot];
    if (stack == null) {
      stack = new Object[DEPTH];
      stacks[slot] = stack;
    }
    stack[counts[slot]++] = array;
    bytes += size;
  }

  private Object pop(DType dtype, int length) {
    long key = key(dtype, length);
    int slot = find(key);
    if (slot < 0 || counts[slot] == 0) {
      return null;
    }
    int top = --counts[slot];
    Object array = stacks[slot][top];
    stacks[slot][top] = null;
    bytes -= CpuArrayPool.bytes(dtype, length);
    return array;
  }

  /** The slot holding {@code key}, or -1. Probing stops at a never-used slot. */
  private int find(long key) {
    int start = hash(key);
    for (int i = 0; i < SLOTS; i++) {
      int s = (start + i) & (SLOTS - 1);
      if (keys[s] == key) {
        return s;
      }
      if (keys[s] == 0) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * The slot for {@code key}: its own if it has one, else the first empty slot on its probe path
   * (an emptied slot of another key is taken over; lookups never stop at it because its key is not
   * 0), else -1 when the table is full of non-empty stacks.
   */
  private int slotFor(long key) {
    int own = find(key);
    if (own >= 0) {
      return own;
    }
    int start = hash(key);
    for (int i = 0; i < SLOTS; i++) {
      int s = (start + i) & (SLOTS - 1);
      if (counts[s] == 0) {
        return s;
      }
    }
    return -1;
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 58);
  }

  private static long key(DType dtype, int length) {
    return ((long) (dtype.ordinal() + 1) << 32) | (length & 0xffffffffL);
  }

  private static long configuredCapacity() {
    return CpuArrayPool.bytesProperty(BYTES_PROPERTY, 8L << 20);
  }
}
