package dev.sonnet.samples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.data.DatasetException;
import dev.sonnet.data.IdxFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {

  private static byte[] idx(int rank, int[] dims, int payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * rank + payload);
    b.putShort((short) 0).put((byte) 8).put((byte) rank);
    for (int d : dims) {
      b.putInt(d);
    }
    for (int i = 0; i < payload; i++) {
      b.put((byte) i);
    }
    return b.array();
  }

  @Test
  void read_plainAndGzipped_giveSameData(@TempDir Path dir) throws IOException {
    byte[] raw = idx(3, new int[] {2, 2, 3}, 12);
    Path plain = Files.write(dir.resolve("a"), raw);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(raw);
    }
    Path zipped = Files.write(dir.resolve("a.gz"), gz.toByteArray());
    IdxFile a = IdxFile.read(plain, 3);
    IdxFile b = IdxFile.read(zipped, 3);
    assertThat(a.dims()).containsExactly(2, 2, 3);
    assertThat(b.data()).containsExactly(a.data());
  }

  @Test
  void truncatedFile_isAnErrorNamingTheFile(@TempDir Path dir) throws IOException {
    Path f = Files.write(dir.resolve("short"), idx(1, new int[] {10}, 5));
    assertThatThrownBy(() -> IdxFile.read(f, 1))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("truncated");
  }

  @Test
  void trailingBytes_areAnError(@TempDir Path dir) throws IOException {
    Path f = Files.write(dir.resolve("long"), idx(1, new int[] {3}, 4));
    assertThatThrownBy(() -> IdxFile.read(f, 1)).hasMessageContaining("longer");
  }

  @Test
  void hugeDeclaredSize_isRejectedBeforeAllocating(@TempDir Path dir) throws IOException {
    Path f = Files.write(dir.resolve("huge"), idx(3, new int[] {Integer.MAX_VALUE, 28, 28}, 0));
    assertThatThrownBy(() -> IdxFile.read(f, 3)).hasMessageContaining("corrupt");
  }

  @Test
  void wrongMagicOrRank_isRejected(@TempDir Path dir) throws IOException {
    byte[] bytes = idx(1, new int[] {1}, 1);
    bytes[2] = 0x0D; // float type
    Path f = Files.write(dir.resolve("float"), bytes);
    assertThatThrownBy(() -> IdxFile.read(f, 1)).hasMessageContaining("not an IDX file");
    Path g = Files.write(dir.resolve("rank"), idx(1, new int[] {1}, 1));
    assertThatThrownBy(() -> IdxFile.read(g, 3)).hasMessageContaining("expected 3");
  }
}
