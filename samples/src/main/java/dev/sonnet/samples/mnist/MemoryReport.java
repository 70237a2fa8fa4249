package dev.sonnet.samples.mnist;

import com.sun.management.GcInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The job's memory figures, read without triggering a collection ({@code java.lang.management} and
 * {@code /proc/self/status}).
 *
 * <ul>
 *   <li>{@code heapUsed}: the heap in use now, garbage included, so it depends on where the young
 *       generation happens to be;
 *   <li>{@code heapLive}: the heap in use right after the latest collection (young or full; from
 *       {@code com.sun.management.GarbageCollectorMXBean#getLastGcInfo}, else the pools' {@link
 *       MemoryPoolMXBean#getCollectionUsage} summed): what survived plus garbage already tenured,
 *       the figure to watch for growth across epochs; 0 before the first collection;
 *   <li>{@code heapPeak}: the heap pools' peak usage since the JVM started, summed (an upper bound
 *       of the true peak, as the pools peak at different moments);
 *   <li>{@code rss} and {@code rssPeak}: the process's resident memory now ({@code VmRSS}) and at
 *       its highest ({@code VmHWM}), from {@code /proc/self/status}; -1 where that file is absent
 *       (not Linux), printed as {@code n/a}.
 * </ul>
 *
 * <p>All in bytes.
 */
record MemoryReport(long heapUsed, long heapLive, long heapPeak, long rss, long rssPeak) {
  private static final Path STATUS = Path.of("/proc/self/status");

  /** The figures now. */
  static MemoryReport sample() {
    long used = 0;
    long collected = 0;
    long peak = 0;
    Set<String> heapPools = new HashSet<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() != MemoryType.HEAP || !pool.isValid()) {
        continue;
      }
      heapPools.add(pool.getName());
      used += usedOf(pool.getUsage());
      peak += usedOf(pool.getPeakUsage());
      collected += usedOf(pool.getCollectionUsage()); // null (0) before the pool's first GC
    }
    long afterLastGc = afterLatestGc(heapPools);
    long live = afterLastGc >= 0 ? afterLastGc : collected;
    long rss = -1;
    long hwm = -1;
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          rss = kilobytes(line);
        } else if (line.startsWith("VmHWM:")) {
          hwm = kilobytes(line);
        }
      }
    } catch (IOException | RuntimeException e) {
      rss = -1;
      hwm = -1;
    }
    return new MemoryReport(used, live, peak, rss, hwm);
  }

  /** Like {@code heap 312 MB (live 41 MB, peak 702 MB), RSS 820 MB (peak 905 MB)}. */
  String describe() {
    return String.format(
        Locale.ROOT,
        "heap %s (live %s, peak %s), RSS %s (peak %s)",
        mb(heapUsed),
        mb(heapLive),
        mb(heapPeak),
        mb(rss),
        mb(rssPeak));
  }

  /** Megabytes (10^6 bytes), or {@code n/a} for a negative (unknown) figure. */
  static String mb(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
  }

  /** The heap pools' usage summed right after the latest collection, or -1 if unknown. */
  private static long afterLatestGc(Set<String> heapPools) {
    GcInfo latest = null;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof com.sun.management.GarbageCollectorMXBean sun) {
        GcInfo info = sun.getLastGcInfo();
        if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
          latest = info;
        }
      }
    }
    if (latest == null) {
      return -1;
    }
    long sum = 0;
    for (Map.Entry<String, MemoryUsage> e : latest.getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        sum += usedOf(e.getValue());
      }
    }
    return sum;
  }

  private static long usedOf(MemoryUsage u) {
    return u == null ? 0 : u.getUsed();
  }

  /** The value of a {@code /proc/self/status} line like {@code VmRSS: 123456 kB}, in bytes. */
  private static long kilobytes(String line) {
    String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
    return Long.parseLong(parts[0]) * 1024;
  }
}
