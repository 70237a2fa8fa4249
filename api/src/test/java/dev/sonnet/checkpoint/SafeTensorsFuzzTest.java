package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of damaged files, made by seeded mutations of a valid one: each must either read
 * cleanly or fail with the library's own {@link CheckpointException}; never another exception, an
 * {@link OutOfMemoryError} or a hang.
 */
class SafeTensorsFuzzTest {
  private static final int CASES_PER_KIND = 600;

  @TempDir Path dir;

  private enum Kind {
    BIT_FLIPS,
    TRUNCATION,
    HEADER_BYTES,
    HEADER_NUMBERS,
    HEADER_LENGTH,
    SPLICE
  }

  @Test
  void reader_survivesMutatedAndTruncatedFiles_withOnlyItsOwnErrors() throws IOException {
    Path valid = dir.resolve("valid.safetensors");
    SafeTensors.write(valid, SafeTensorsTest.everyDType(), Map.of("format", "fuzz"));
    byte[] original = Files.readAllBytes(valid);
    int headerEnd = 8 + (int) ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Random random = new Random(20240611);
    Path target = dir.resolve("mutant.safetensors");
    int rejected = 0;
    int total = 0;

    for (Kind kind : Kind.values()) {
      for (int i = 0; i < CASES_PER_KIND; i++) {
        byte[] mutant = mutate(kind, original, headerEnd, random);
        Files.write(target, mutant);
        total++;
        try (SafeTensorsFile f = SafeTensors.open(target)) {
          for (SafeTensorsFile.Entry e : f.entries()) {
            if (e.dtype() != null && e.shape() != null) {
              f.read(e);
            }
          }
        } catch (CheckpointException expected) {
          rejected++;
          assertThat(expected.getMessage()).contains("mutant.safetensors");
        } catch (Throwable t) {
          fail(
              "case "
                  + kind
                  + " #"
                  + i
                  + " escaped as "
                  + t
                  + "; file bytes: "
                  + Arrays.toString(mutant),
              t);
        }
      }
    }

    assertThat(total).isEqualTo(Kind.values().length * CASES_PER_KIND);
    assertThat(rejected).as("most mutants are rejected").isGreaterThan(total / 2);
  }

  private static byte[] mutate(Kind kind, byte[] original, int headerEnd, Random r) {
    byte[] b = original.clone();
    switch (kind) {
      case BIT_FLIPS -> {
        int flips = 1 + r.nextInt(4);
        for (int k = 0; k < flips; k++) {
          int at = r.nextInt(b.length);
          b[at] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case TRUNCATION -> b = Arrays.copyOf(b, r.nextInt(b.length));
      case HEADER_BYTES -> {
        int changes = 1 + r.nextInt(3);
        String alphabet = "{}[]\":,0123456789-eE.\\ FIBOLU_ax\u00e9";
        for (int k = 0; k < changes; k++) {
          b[8 + r.nextInt(headerEnd - 8)] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
      }
      case HEADER_NUMBERS -> {
        String header = new String(b, 8, headerEnd - 8, StandardCharsets.UTF_8);
        String[] replacements = {
          "0",
          "1",
          "-1",
          "4294967296",
          "9223372036854775807",
          "18446744073709551616",
          "1e3",
          "2147483647",
          "99999999999",
          "null",
          "[]",
          "\"x\""
        };
        StringBuilder sb = new StringBuilder(header);
        int digits = 0;
        for (int k = 0; k < sb.length(); k++) {
          digits += Character.isDigit(sb.charAt(k)) ? 1 : 0;
        }
        int pick = r.nextInt(Math.max(1, digits));
        for (int k = 0; k < sb.length(); k++) {
          if (Character.isDigit(sb.charAt(k)) && pick-- == 0) {
            int end = k;
            while (end < sb.length() && Character.isDigit(sb.charAt(end))) {
              end++;
            }
            int start = k;
            while (start > 0 && Character.isDigit(sb.charAt(start - 1))) {
              start--;
            }
            sb.replace(start, end, replacements[r.nextInt(replacements.length)]);
            break;
          }
        }
        b = withHeader(sb.toString(), Arrays.copyOfRange(original, headerEnd, original.length));
      }
      case HEADER_LENGTH -> {
        long[] lengths = {
          0,
          1,
          7,
          headerEnd - 9,
          headerEnd - 7,
          b.length,
          Long.MAX_VALUE,
          -1,
          100_000_001,
          r.nextLong(),
          (long) r.nextInt(1 << 20)
        };
        ByteBuffer.wrap(b)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(0, lengths[r.nextInt(lengths.length)]);
      }
      case SPLICE -> {
        int from = r.nextInt(b.length);
        int len = r.nextInt(Math.min(16, b.length - from) + 1);
        int to = r.nextInt(b.length);
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, to);
        System.arraycopy(b, from, out, to, len);
        System.arraycopy(b, to, out, to + len, b.length - to);
        b = r.nextBoolean() ? out : Arrays.copyOfRange(out, 0, b.length);
      }
    }
    return b;
  }

  private static byte[] withHeader(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    return out.putLong(h.length).put(h).put(data).array();
  }
}
