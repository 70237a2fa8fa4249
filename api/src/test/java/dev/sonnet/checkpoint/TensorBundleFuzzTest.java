package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sonnet.utils.ProtoFormatException;
import dev.sonnet.utils.ProtoReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of damaged TensorFlow checkpoints, made by seeded mutations of one of Sonnet's goldens
 * (as {@link SafeTensorsFuzzTest} does for safetensors): each must either read cleanly or fail with
 * the library's own {@link CheckpointException} naming the file; never another exception, an {@link
 * OutOfMemoryError} or a hang. Most index mutations would only meet the block CRC, so half of them
 * have their blocks' CRCs recomputed afterwards, which sends the damage on to the Snappy decoder,
 * the table parser and the proto reader.
 */
class TensorBundleFuzzTest {
  private static final int CASES_PER_KIND = 300;
  private static final String GOLDEN = "batch_norm_1x2x2x3";

  @TempDir Path dir;

  private enum Kind {
    INDEX_BIT_FLIPS,
    INDEX_BIT_FLIPS_CRC_FIXED,
    INDEX_BYTES_CRC_FIXED,
    INDEX_SPLICE_CRC_FIXED,
    INDEX_TRUNCATION,
    DATA_BIT_FLIPS,
    DATA_TRUNCATION
  }

  @Test
  void reader_survivesMutatedAndTruncatedBundles_withOnlyItsOwnErrors() throws IOException {
    Path source = TensorBundleTest.golden(dir, GOLDEN);
    byte[] index = Files.readAllBytes(Path.of(source + ".index"));
    byte[] data = Files.readAllBytes(Path.of(source + ".data-00000-of-00001"));
    List<long[]> blocks = blocks(index);
    assertThat(blocks).hasSizeGreaterThanOrEqualTo(2);
    Path prefix = dir.resolve("mutant");
    Path mutantIndex = Path.of(prefix + ".index");
    Path mutantData = Path.of(prefix + ".data-00000-of-00001");
    Random random = new Random(20261207);
    int rejected = 0;
    int total = 0;
    byte[] lastIndex = null;
    byte[] lastData = null;

    for (Kind kind : Kind.values()) {
      for (int i = 0; i < CASES_PER_KIND; i++) {
        byte[] idx = index;
        byte[] dat = data;
        switch (kind) {
          case INDEX_BIT_FLIPS -> idx = flip(index, random);
          case INDEX_BIT_FLIPS_CRC_FIXED -> idx = fixCrcs(flip(index, random), blocks);
          case INDEX_BYTES_CRC_FIXED -> idx = fixCrcs(replaceBytes(index, random), blocks);
          case INDEX_SPLICE_CRC_FIXED -> idx = fixCrcs(splice(index, random), blocks);
          case INDEX_TRUNCATION -> idx = Arrays.copyOf(index, random.nextInt(index.length));
          case DATA_BIT_FLIPS -> dat = flip(data, random);
          case DATA_TRUNCATION -> dat = Arrays.copyOf(data, random.nextInt(data.length));
        }
        if (idx != lastIndex) {
          Files.write(mutantIndex, idx);
          lastIndex = idx;
        }
        if (dat != lastData) {
          Files.write(mutantData, dat);
          lastData = dat;
        }
        total++;
        try (TensorBundle b = TensorBundle.open(prefix)) {
          b.objectGraph();
          for (TensorBundle.Entry e : b.entries()) {
            if (e.dtype() != null) {
              b.read(e);
            }
          }
        } catch (CheckpointException expected) {
          rejected++;
          assertThat(expected.getMessage()).contains("mutant");
        } catch (Throwable t) {
          fail(
              "case "
                  + kind
                  + " #"
                  + i
                  + " escaped as "
                  + t
                  + "; index bytes: "
                  + Arrays.toString(idx),
              t);
        }
      }
    }
    assertThat(total).isEqualTo(Kind.values().length * CASES_PER_KIND);
    assertThat(rejected).as("most mutants are rejected").isGreaterThan(total / 2);
  }

  /** The object graph proto, mutated, parses or fails with the proto reader's errors only. */
  @Test
  void objectGraphParser_survivesMutatedProtos() throws IOException {
    byte[] proto;
    Set<String> keys;
    try (TensorBundle b = TensorBundle.open(TensorBundleTest.golden(dir, "mlp_3x4x5_1x3"))) {
      proto = b.readStrings(b.entry(TensorBundle.OBJECT_GRAPH_KEY)).get(0);
      keys = Set.copyOf(b.entries().stream().map(TensorBundle.Entry::key).toList());
    }
    Random random = new Random(175);
    int parsed = 0;
    for (int i = 0; i < 5000; i++) {
      byte[] m = i % 2 == 0 ? flip(proto, random) : splice(proto, random);
      try {
        TrackableObjectGraph.parse(m, keys);
        parsed++;
      } catch (ProtoFormatException | TrackableObjectGraph.Invalid expected) {
        assertThat(expected.getMessage()).isNotBlank();
      } catch (Throwable t) {
        fail("mutant #" + i + " escaped as " + t + "; bytes: " + Arrays.toString(m), t);
      }
    }
    assertThat(parsed).as("some mutants still parse").isGreaterThan(0);
  }

  /** The block handles ({offset, size}) of the index block and every data block. */
  private static List<long[]> blocks(byte[] index) {
    int footer = index.length - LevelDbTable.FOOTER_BYTES;
    int[] at = {footer};
    ProtoReader.varint(index, at, index.length);
    ProtoReader.varint(index, at, index.length);
    long indexOffset = ProtoReader.varint(index, at, index.length);
    long indexSize = ProtoReader.varint(index, at, index.length);
    List<long[]> out = new ArrayList<>();
    out.add(new long[] {indexOffset, indexSize});
    byte[] block = Arrays.copyOfRange(index, (int) indexOffset, (int) (indexOffset + indexSize));
    if (index[(int) (indexOffset + indexSize)] == 1) {
      block = Snappy.decompress(block, 0, block.length, 1 << 20).bytes();
    }
    int restarts = LevelDbTable.littleInt(block, block.length - 4);
    int limit = block.length - 4 - 4 * restarts;
    int[] p = {0};
    while (p[0] < limit) {
      ProtoReader.varint(block, p, limit);
      int unshared = (int) ProtoReader.varint(block, p, limit);
      int valueLength = (int) ProtoReader.varint(block, p, limit);
      p[0] += unshared;
      int[] v = {p[0]};
      long off = ProtoReader.varint(block, v, limit);
      long size = ProtoReader.varint(block, v, limit);
      out.add(new long[] {off, size});
      p[0] += valueLength;
    }
    return out;
  }

  /** {@code b} with the trailer CRC of every block of the original layout recomputed. */
  private static byte[] fixCrcs(byte[] b, List<long[]> blocks) {
    for (long[] h : blocks) {
      int off = (int) h[0];
      int size = (int) h[1];
      if (off + size + 5 <= b.length) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, size + 1);
        int masked = LevelDbTable.mask((int) crc.getValue());
        for (int k = 0; k < 4; k++) {
          b[off + size + 1 + k] = (byte) (masked >>> (8 * k));
        }
      }
    }
    return b;
  }

  private static byte[] flip(byte[] original, Random r) {
    byte[] b = original.clone();
    int flips = 1 + r.nextInt(4);
    for (int k = 0; k < flips; k++) {
      b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
    }
    return b;
  }

  private static byte[] replaceBytes(byte[] original, Random r) {
    byte[] b = original.clone();
    int[] interesting = {0, 1, 0x7F, 0x80, 0xFF, 0x3C, 0xF0, 0xFC, 0x01, 0x02, 0x03};
    int changes = 1 + r.nextInt(3);
    for (int k = 0; k < changes; k++) {
      b[r.nextInt(b.length - LevelDbTable.FOOTER_BYTES)] =
          (byte) interesting[r.nextInt(interesting.length)];
    }
    return b;
  }

  private static byte[] splice(byte[] b, Random r) {
    int from = r.nextInt(b.length);
    int len = r.nextInt(Math.min(16, b.length - from) + 1);
    int to = r.nextInt(b.length);
    byte[] out = new byte[b.length + len];
    System.arraycopy(b, 0, out, 0, to);
    System.arraycopy(b, from, out, to, len);
    System.arraycopy(b, to, out, to + len, b.length - to);
    return r.nextBoolean() ? out : Arrays.copyOfRange(out, 0, b.length);
  }
}
