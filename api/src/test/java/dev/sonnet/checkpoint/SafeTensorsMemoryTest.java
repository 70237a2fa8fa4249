package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What opening and reading a file allocates, measured on the reading thread: it must stay within a
 * small multiple of the file's size plus a fixed cost per header entry, however the header is
 * shaped, so that a hostile header near {@link SafeTensorsFile#MAX_HEADER_BYTES} cannot exhaust the
 * heap.
 *
 * <p>The bounds are reasoned from the compact layout (64-bit JVM, compressed references):
 *
 * <ul>
 *   <li>The header is read once into one array (1x the header). Decoded names are copies of parts
 *       of it (at most 1x more; non-Latin-1 text at most 2x).
 *   <li>A tensor keeps an {@code Entry} (12 B header + 3 references + 2 longs = 40 B), its name (a
 *       {@code String}: 24 B + a {@code byte[]} of 16 B + its length, counted above), its dims (16
 *       B + 8 B per dimension), a {@code HashMap} node (32 B) and 4 B to 8 B of hash table, and 4 B
 *       in the header-order list; while opening, the coverage check sorts a copy of the list (4 B,
 *       plus 2 B of merge space) and the table and list grow by doubling (as much again in
 *       garbage). That is under 200 B per tensor besides its name: 256 B leaves room.
 *   <li>A metadata pair's UTF-8 bytes (at most its length in the header) go into a buffer that
 *       grows by doubling: up to 2x for rounding up and 2x for the outgrown copies, so at most 4x
 *       the header. Its two int bounds (8 B) and one or two hash slots (4 B to 8 B) grow the same
 *       way: at most 4 x 16 = 64 B per pair.
 * </ul>
 *
 * <p>So {@code 4 x file size + 256 B per tensor} bounds a tensor-heavy file (1x header, 1x names,
 * 2x spare) and {@code 6 x file size + 64 B per metadata pair} a metadata-heavy one (1x header, 4x
 * buffer, 1x spare). The reader before these bounds, which built a JSON tree of maps, lists and
 * boxed numbers, allocated 342 MB for the 16 MB header of a million metadata pairs below (now 83
 * MB), 70 MB for the 40,000 tensors (now 10 MB), and a 1 MiB read buffer for every file (the
 * one-scalar file now takes about 2 KB).
 */
class SafeTensorsMemoryTest {
  private static final long PER_TENSOR_BYTES = 256;
  private static final long PER_METADATA_PAIR_BYTES = 64;

  @TempDir static Path dir;

  @BeforeAll
  static void warmUp() throws IOException {
    // Class loading and first-use caches are not the reader's per-file cost.
    Path p = tinyFile("warm.safetensors");
    for (int i = 0; i < 3; i++) {
      openAndReadAll(p);
      openAndReadAll(tensorsFile("warm-tensors.safetensors", 100));
      openAndReadAll(metadataFile("warm-metadata.safetensors", 100));
    }
  }

  @Test
  void open_aMillionMetadataPairs_allocatesASmallMultipleOfTheFile() throws IOException {
    int pairs = 1_000_000;
    Path p = metadataFile("metadata.safetensors", pairs);
    long size = Files.size(p);
    assertThat(size).as("a header of about 16 MB").isBetween(15_000_000L, 17_000_000L);

    long allocated = allocatedBy(SafeTensorsMemoryTest::openAndReadAll, p);

    long bound = 6 * size + PER_METADATA_PAIR_BYTES * pairs;
    assertThat(allocated)
        .as("bytes allocated opening %,d bytes of %,d metadata pairs", size, pairs)
        .isLessThanOrEqualTo(bound);
  }

  @Test
  void open_fortyThousandTinyTensors_allocatesASmallMultipleOfTheFile() throws IOException {
    int tensors = 40_000;
    Path p = tensorsFile("tensors.safetensors", tensors);
    long size = Files.size(p);

    long allocated = allocatedBy(SafeTensorsMemoryTest::openAndListEntries, p);

    long bound = 4 * size + PER_TENSOR_BYTES * tensors;
    assertThat(allocated)
        .as("bytes allocated opening %,d bytes of %,d tensors", size, tensors)
        .isLessThanOrEqualTo(bound);
  }

  @Test
  void openAndRead_aTinyFile_allocatesFarLessThanAMebibyte() throws IOException {
    Path p = tinyFile("tiny.safetensors");

    long allocated = allocatedBy(SafeTensorsMemoryTest::openAndReadAll, p);

    assertThat(allocated)
        .as("bytes allocated opening and reading a one-scalar file")
        .isLessThan(64 * 1024);
  }

  private static long allocatedBy(Consumer<Path> action, Path p) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    action.accept(p);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    System.out.printf(
        "%s: %,d bytes allocated for a file of %,d bytes%n",
        p.getFileName(), allocated, p.toFile().length());
    return allocated;
  }

  private static void openAndReadAll(Path p) {
    try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
      assertThat(f.metadata().get("absent")).isNull();
      for (SafeTensorsFile.Entry e : f.entries()) {
        f.read(e);
      }
    }
  }

  private static void openAndListEntries(Path p) {
    try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
      assertThat(f.entries()).isNotEmpty();
    }
  }

  /** One F32 scalar: 4 bytes of data. */
  private static Path tinyFile(String name) throws IOException {
    return file(name, "{\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", 4);
  }

  /** {@code tensors} scalar F32 tensors named {@code layer_<i>/w}. */
  private static Path tensorsFile(String name, int tensors) throws IOException {
    StringBuilder h = new StringBuilder("{");
    for (int i = 0; i < tensors; i++) {
      h.append(i == 0 ? "" : ",")
          .append("\"layer_")
          .append(i)
          .append("/w\":{\"dtype\":\"F32\"," + "\"shape\":[1],\"data_offsets\":[")
          .append(4L * i)
          .append(',')
          .append(4L * i + 4)
          .append("]}");
    }
    return file(name, h.append('}').toString(), 4L * tensors);
  }

  /** No tensors, and {@code pairs} metadata pairs of 16 header bytes each. */
  private static Path metadataFile(String name, int pairs) throws IOException {
    StringBuilder h = new StringBuilder(16 * pairs + 32).append("{\"__metadata__\":{");
    for (int i = 0; i < pairs; i++) {
      h.append(i == 0 ? "" : ",").append('"').append(10_000_000 + i).append("\":\"xy\"");
    }
    return file(name, h.append("}}").toString(), 0);
  }

  private static Path file(String name, String header, long dataBytes) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(Math.toIntExact(8 + h.length + dataBytes))
            .order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }
}
