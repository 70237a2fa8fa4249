package dev.sonnet.samples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @Test
  void embeddedSubset_loadsWithConsistentShapes() {
    FashionMnist data = FashionMnist.embeddedSubset();
    assertThat(data.isSubset()).isTrue();
    assertThat(data.train().count()).isEqualTo(1000);
    assertThat(data.test().count()).isEqualTo(200);
    assertThat(data.train().height()).isEqualTo(28);
    float[] px = data.train().scaledPixels(0, 2);
    assertThat(px).hasSize(2 * 784);
    for (float p : px) {
      assertThat(p).isBetween(-1f, 1f);
    }
  }

  @Test
  void debianPackage_isFoundAndComplete() {
    assumeTrue(
        Files.isDirectory(Path.of(FashionMnist.DEBIAN_DIR)),
        "Debian's dataset-fashion-mnist is not installed");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    FashionMnist data = FashionMnist.load(null, false, new PrintStream(log));
    assertThat(data.train().count()).isEqualTo(60_000);
    assertThat(data.test().count()).isEqualTo(10_000);
    assertThat(log.toString()).contains(FashionMnist.DEBIAN_DIR);
    // The embedded subset is the head of the real files.
    assertThat(FashionMnist.embeddedSubset().test().labels(0, 200))
        .containsExactly(data.test().labels(0, 200));
  }

  @Test
  void userDirectoryWithoutFiles_isAnErrorNamingIt(@TempDir Path dir) {
    assertThatThrownBy(
            () -> FashionMnist.load(dir, false, new PrintStream(new ByteArrayOutputStream())))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(dir.toString());
  }
}
