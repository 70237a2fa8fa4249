package dev.sonnet.samples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.sonnet.data.Batch;
import dev.sonnet.data.DatasetException;
import dev.sonnet.data.Datasets;
import dev.sonnet.data.FashionMnist;
import dev.sonnet.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fashion-MNIST: the embedded subset, Debian's copy, the cache, and downloads, which only happen
 * when asked for and are tested against a server on 127.0.0.1 or a file:// mirror, never the
 * network.
 */
class FashionMnistTest {
  private static final Path DEBIAN = Path.of(FashionMnist.DEBIAN_DIR);

  /** Options that see neither Debian's copy nor the user's cache: a machine without the data. */
  private static FashionMnist.Options bare(Path tmp, List<String> log) {
    return FashionMnist.Options.defaults()
        .withSystemDir(tmp.resolve("no-system-copy"))
        .withCacheDir(tmp.resolve("cache"))
        .withLog(log::add);
  }

  @Test
  void embeddedSubset_hasImagesAndLabelsAsTfdsShapesThem() {
    FashionMnist data = FashionMnist.embeddedSubset();
    assertThat(data.isSubset()).isTrue();
    assertThat(data.train().exampleCount()).isEqualTo(1000);
    assertThat(data.test().exampleCount()).isEqualTo(200);
    Batch b = data.train().batch(8).toList().get(0);
    assertThat(b.get("image").shape()).isEqualTo(Shape.of(8, 28, 28, 1));
    assertThat(b.get("label").shape()).isEqualTo(Shape.of(8));
    for (float p : b.get("image").toFloatArray()) {
      assertThat(p).isBetween(0f, 1f);
    }
    for (int label : b.get("label").toIntArray()) {
      assertThat(label).isBetween(0, 9);
    }
  }

  @Test
  void withoutACopy_andWithoutDownload_usesTheSubset_sayingWhy_andNeverTheNetwork(
      @TempDir Path tmp) {
    List<String> log = new ArrayList<>();
    FashionMnist data = Datasets.fashionMnist(bare(tmp, log));
    assertThat(data.isSubset()).isTrue();
    assertThat(String.join("\n", log))
        .contains("no copy in " + tmp.resolve("no-system-copy"))
        .contains("no download was asked for")
        .contains("--download")
        .doesNotContain("null")
        .doesNotContain("downloading");
    assertThat(tmp.resolve("cache")).doesNotExist();
    assertThatThrownBy(() -> Datasets.fashionMnist(bare(tmp, log).withAllowSubset(false)))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("withDownload");
  }

  @Test
  void download_fromALocalServer_verifiesCachesAndReadsTheFiles(@TempDir Path tmp)
      throws IOException {
    assumeTrue(Files.isDirectory(DEBIAN), "needs Debian's dataset-fashion-mnist to serve");
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = serve(DEBIAN, requests);
    try {
      URI mirror = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fm/");
      List<String> log = new ArrayList<>();
      FashionMnist.Options options = bare(tmp, log).withDownload(true).withMirror(mirror);
      FashionMnist data = Datasets.fashionMnist(options);
      assertThat(data.isSubset()).isFalse();
      assertThat(data.train().exampleCount()).isEqualTo(60_000);
      assertThat(requests).hasValue(4);
      assertThat(tmp.resolve("cache/train-images-idx3-ubyte.gz")).exists();
      assertThat(tmp.resolve("cache/train-images-idx3-ubyte.gz.part")).doesNotExist();
      // Found in the cache the second time: no request.
      FashionMnist again = Datasets.fashionMnist(options);
      assertThat(again.source()).isEqualTo(tmp.resolve("cache").toString());
      assertThat(requests).hasValue(4);
      // A damaged cache file is an error naming it, not silently used.
      Path labels = tmp.resolve("cache/t10k-labels-idx1-ubyte.gz");
      Files.copy(DEBIAN.resolve("train-labels-idx1-ubyte.gz"), labels, REPLACE);
      assertThatThrownBy(() -> Datasets.fashionMnist(options))
          .isInstanceOf(DatasetException.class)
          .hasMessageContaining(labels.toString())
          .hasMessageContaining("does not match");
    } finally {
      server.stop(0);
    }
  }

  private static final java.nio.file.CopyOption REPLACE =
      java.nio.file.StandardCopyOption.REPLACE_EXISTING;

  @Test
  void download_ofTheWrongFiles_failsOnTheChecksum_keepingNothing(@TempDir Path tmp)
      throws IOException {
    // A mirror (file://) serving the embedded subset under the real names: valid gzip, valid IDX,
    // but not the published files.
    Path mirror = tmp.resolve("mirror");
    Files.createDirectories(mirror);
    for (String f :
        new String[] {
          "train-images-idx3-ubyte",
          "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte",
          "t10k-labels-idx1-ubyte"
        }) {
      try (InputStream in =
          FashionMnist.class.getResourceAsStream("/dev/sonnet/data/subset-" + f + ".gz")) {
        Files.copy(in, mirror.resolve(f + ".gz"));
      }
    }
    List<String> log = new ArrayList<>();
    FashionMnist.Options options = bare(tmp, log).withDownload(true).withMirror(mirror.toUri());
    assertThatThrownBy(() -> Datasets.fashionMnist(options))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("train-images-idx3-ubyte.gz")
        .hasMessageContaining("SHA-256")
        .hasMessageContaining("c59f468a2f672dc8");
    assertThat(tmp.resolve("cache/train-images-idx3-ubyte.gz")).doesNotExist();
    assertThat(tmp.resolve("cache/train-images-idx3-ubyte.gz.part")).doesNotExist();
  }

  @Test
  void download_withNoServer_saysWhy_notNull(@TempDir Path tmp) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    List<String> log = new ArrayList<>();
    FashionMnist.Options options =
        bare(tmp, log).withDownload(true).withMirror(URI.create("http://127.0.0.1:" + port + "/"));
    assertThatThrownBy(() -> Datasets.fashionMnist(options))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("http://127.0.0.1:" + port + "/train-images-idx3-ubyte.gz")
        .hasMessageContaining("ConnectException")
        .hasMessageContaining("nothing answered at 127.0.0.1:" + port)
        .hasMessageNotContaining("(null)");
  }

  @Test
  void download_answeredWith404_namesTheStatus(@TempDir Path tmp) throws IOException {
    HttpServer server = serve(tmp.resolve("empty"), new AtomicInteger());
    try {
      URI mirror = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fm/");
      FashionMnist.Options options =
          bare(tmp, new ArrayList<>()).withDownload(true).withMirror(mirror);
      assertThatThrownBy(() -> Datasets.fashionMnist(options))
          .isInstanceOf(DatasetException.class)
          .hasMessageContaining("HTTP 404");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void debianPackage_isFoundAndComplete_andTheSubsetIsItsHead() {
    assumeTrue(Files.isDirectory(DEBIAN), "Debian's dataset-fashion-mnist is not installed");
    List<String> log = new ArrayList<>();
    FashionMnist data = Datasets.fashionMnist(FashionMnist.Options.defaults().withLog(log::add));
    assertThat(data.train().exampleCount()).isEqualTo(60_000);
    assertThat(data.test().exampleCount()).isEqualTo(10_000);
    assertThat(log).anyMatch(l -> l.contains(FashionMnist.DEBIAN_DIR));
    int[] subset =
        FashionMnist.embeddedSubset().test().batch(200).toList().get(0).get("label").toIntArray();
    int[] full = data.test().batch(200).toList().get(0).get("label").toIntArray();
    assertThat(subset).containsExactly(full);
  }

  @Test
  void userDirectoryWithoutFiles_isAnErrorNamingIt(@TempDir Path dir) {
    assertThatThrownBy(
            () -> Datasets.fashionMnist(FashionMnist.Options.defaults().withDataDir(dir)))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(dir.toString());
  }

  /** An HTTP server on 127.0.0.1 serving {@code dir}'s files under /fm/, counting requests. */
  private static HttpServer serve(Path dir, AtomicInteger requests) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/fm/",
        exchange -> {
          requests.incrementAndGet();
          Path f = dir.resolve(exchange.getRequestURI().getPath().substring("/fm/".length()));
          if (!Files.isRegularFile(f)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
          }
          exchange.sendResponseHeaders(200, Files.size(f));
          try (OutputStream out = exchange.getResponseBody()) {
            Files.copy(f, out);
          }
        });
    server.start();
    return server;
  }
}
