package dev.sonnet.samples.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 60,000 training and 10,000 test images of 28x28
 * pixels in ten clothing classes.
 *
 * <p>{@link #load} looks, in order, in a directory the user names, in Debian's {@code
 * dataset-fashion-mnist} package ({@value #DEBIAN_DIR}), in the user cache ({@code
 * ~/.cache/sonnet/fashion-mnist}), then downloads into that cache from the dataset's public
 * address, verifying each file's SHA-256 (of the decompressed bytes, so any faithful recompression
 * passes). Where all of that fails it falls back to a small subset shipped in this jar, and says
 * so. A file that exists but is corrupt is an error naming it, never a silent fallback.
 */
public final class FashionMnist {
  /** Where Debian's {@code dataset-fashion-mnist} installs the files. */
  public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

  /** The dataset's public address (the authors' bucket). */
  public static final String DOWNLOAD_URL =
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

  private static final String SUBSET_RESOURCE = "/dev/sonnet/samples/data/";

  private static final String[] FILES = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
  };

  /** SHA-256 of each file's decompressed bytes, in the order of {@link #FILES}. */
  private static final String[] SHA256 = {
    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
  };

  private final LabeledImages train;
  private final LabeledImages test;
  private final String source;

  private FashionMnist(LabeledImages train, LabeledImages test, String source) {
    this.train = train;
    this.test = test;
    this.source = source;
  }

  public LabeledImages train() {
    return train;
  }

  public LabeledImages test() {
    return test;
  }

  /** Where the data came from, e.g. the directory, or the embedded subset. */
  public String source() {
    return source;
  }

  /** True when the full dataset could not be found and the embedded subset is in use. */
  public boolean isSubset() {
    return source.startsWith("embedded");
  }

  /**
   * Finds and reads the dataset as described in the class comment.
   *
   * @param userDir a directory to look in first, or null
   * @param allowDownload whether to try the network when no local copy exists
   * @param log where to say which copy is used
   */
  public static FashionMnist load(Path userDir, boolean allowDownload, PrintStream log) {
    List<Path> candidates = new ArrayList<>();
    if (userDir != null) {
      if (findFile(userDir, FILES[0]) == null) {
        throw new DatasetException(
            "No Fashion-MNIST files in "
                + userDir
                + " (expected "
                + FILES[0]
                + "[.gz] and the three others)");
      }
      candidates.add(userDir);
    }
    candidates.add(Path.of(DEBIAN_DIR));
    Path cache = cacheDir();
    candidates.add(cache);
    for (Path dir : candidates) {
      if (findFile(dir, FILES[0]) != null) {
        log.println("Fashion-MNIST: reading " + dir);
        return fromDirectory(dir);
      }
    }
    if (allowDownload) {
      try {
        download(cache, log);
        return fromDirectory(cache);
      } catch (IOException | DatasetException e) {
        log.println("Fashion-MNIST: download failed (" + e.getMessage() + ")");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    log.println(
        "Fashion-MNIST: full dataset not found; using the small subset embedded in the "
            + "samples jar (install Debian's dataset-fashion-mnist for the real thing)");
    return embeddedSubset();
  }

  /** Reads the four files (plain or {@code .gz}) from {@code dir}. */
  public static FashionMnist fromDirectory(Path dir) {
    IdxFile[] files = new IdxFile[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      Path f = findFile(dir, FILES[i]);
      if (f == null) {
        throw new DatasetException("Missing " + FILES[i] + "[.gz] in " + dir);
      }
      files[i] = IdxFile.read(f, i % 2 == 0 ? 3 : 1);
    }
    return new FashionMnist(
        LabeledImages.of(files[0], files[1], dir + "/" + FILES[0]),
        LabeledImages.of(files[2], files[3], dir + "/" + FILES[2]),
        dir.toString());
  }

  /** The subset shipped as resources: the first images of each split. */
  public static FashionMnist embeddedSubset() {
    IdxFile[] files = new IdxFile[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      String name = SUBSET_RESOURCE + "subset-" + FILES[i] + ".gz";
      try (InputStream in = FashionMnist.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new DatasetException("The samples jar lacks its resource " + name);
        }
        files[i] = IdxFile.read(in, name, i % 2 == 0 ? 3 : 1);
      } catch (IOException e) {
        throw new DatasetException("Cannot read resource " + name + ": " + e.getMessage(), e);
      }
    }
    return new FashionMnist(
        LabeledImages.of(files[0], files[1], "embedded train subset"),
        LabeledImages.of(files[2], files[3], "embedded test subset"),
        "embedded subset (" + files[1].dims()[0] + " train, " + files[3].dims()[0] + " test)");
  }

  private static Path findFile(Path dir, String name) {
    for (Path p : new Path[] {dir.resolve(name + ".gz"), dir.resolve(name)}) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  private static Path cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("sonnet").resolve("fashion-mnist");
  }

  private static void download(Path cache, PrintStream log)
      throws IOException, InterruptedException {
    Files.createDirectories(cache);
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    for (int i = 0; i < FILES.length; i++) {
      String name = FILES[i] + ".gz";
      log.println("Fashion-MNIST: downloading " + DOWNLOAD_URL + name);
      Path part = cache.resolve(name + ".part");
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(DOWNLOAD_URL + name))
              .timeout(Duration.ofMinutes(2))
              .build();
      HttpResponse<Path> response = client.send(request, HttpResponse.BodyHandlers.ofFile(part));
      if (response.statusCode() != 200) {
        Files.deleteIfExists(part);
        throw new IOException("HTTP " + response.statusCode() + " for " + name);
      }
      String actual = sha256OfDecompressed(part);
      if (!actual.equals(SHA256[i])) {
        Files.deleteIfExists(part);
        throw new DatasetException(
            "Checksum mismatch for downloaded "
                + name
                + ": SHA-256 "
                + actual
                + ", expected "
                + SHA256[i]);
      }
      Files.move(
          part,
          cache.resolve(name),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String sha256OfDecompressed(Path gz) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK has SHA-256", e);
    }
  }
}
