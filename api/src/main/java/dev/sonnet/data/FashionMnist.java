package dev.sonnet.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; MIT licence): 60,000 training and 10,000 test
 * grey-scale images of 28x28 pixels in ten clothing classes, as two {@link ArrayDataset}s with the
 * columns {@code image} (unsigned bytes, each example {@code [28, 28, 1]}, channels last as in
 * TFDS, delivered as float32 in {@code [0, 1]}) and {@code label} (int32, {@code 0..9}).
 *
 * <p>{@link #load} looks, in order, in {@link Options#dataDir} (when given: it must hold the
 * files), in Debian's {@code dataset-fashion-mnist} package ({@value #DEBIAN_DIR}) and in the cache
 * ({@link Options#cacheDir}); it downloads into the cache only when {@link Options#download} is
 * true, as torchvision's {@code download=True}, checking every file's SHA-256. With no copy found
 * and no download asked for, it falls back to a subset embedded in the library (the first 1,000
 * training and 200 test images) and says so, unless {@link Options#allowSubset} is false. A file
 * that exists but is corrupt, and a download that fails, are errors saying which file and why,
 * never a silent fallback.
 */
public final class FashionMnist {
  /** Where Debian's {@code dataset-fashion-mnist} installs the files. */
  public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

  /** The dataset's public address (the authors' bucket); files are {@code <name>.gz} under it. */
  public static final URI DEFAULT_MIRROR =
      URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

  /** The class names, by label. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  static final String[] FILES = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
  };

  /** SHA-256 of each file's decompressed bytes, in the order of {@link #FILES}. */
  static final String[] SHA256 = {
    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
  };

  private final ArrayDataset train;
  private final ArrayDataset test;
  private final String source;
  private final boolean subset;

  private FashionMnist(ArrayDataset train, ArrayDataset test, String source, boolean subset) {
    this.train = train;
    this.test = test;
    this.source = source;
    this.subset = subset;
  }

  /** The 60,000 training images (1,000 in the embedded subset), in file order. */
  public ArrayDataset train() {
    return train;
  }

  /** The 10,000 test images (200 in the embedded subset), in file order. */
  public ArrayDataset test() {
    return test;
  }

  /** Where the data came from: the directory, or the embedded subset. */
  public String source() {
    return source;
  }

  /** True when the full dataset was not found and the embedded subset is in use. */
  public boolean isSubset() {
    return subset;
  }

  /**
   * Where to look and whether to download; {@link #defaults()} and the {@code with...} methods.
   *
   * @param dataDir a directory to read, or null to search; when given it must hold the four files
   * @param download whether to download into {@code cacheDir} when no copy is found (default false:
   *     a program never reaches the network unless asked)
   * @param cacheDir where downloads go and are found again (default {@code
   *     $XDG_CACHE_HOME/sonnet/fashion-mnist}, else {@code ~/.cache/sonnet/fashion-mnist})
   * @param mirror the address the {@code .gz} files are under (default {@link #DEFAULT_MIRROR})
   * @param allowSubset whether to fall back to the embedded subset (default true, saying so)
   * @param log where to say which copy is used (default standard output)
   * @param systemDir where a system package installs the files (default {@value
   *     FashionMnist#DEBIAN_DIR})
   */
  public record Options(
      Path dataDir,
      boolean download,
      Path cacheDir,
      URI mirror,
      boolean allowSubset,
      Consumer<String> log,
      Path systemDir) {
    public Options {
      Objects.requireNonNull(cacheDir, "cacheDir");
      Objects.requireNonNull(mirror, "mirror");
      Objects.requireNonNull(log, "log (use s -> {} for silence)");
      Objects.requireNonNull(systemDir, "systemDir");
    }

    /** The defaults listed above. */
    public static Options defaults() {
      return new Options(
          null,
          false,
          defaultCacheDir(),
          DEFAULT_MIRROR,
          true,
          System.out::println,
          Path.of(DEBIAN_DIR));
    }

    public Options withDataDir(Path dir) {
      return new Options(dir, download, cacheDir, mirror, allowSubset, log, systemDir);
    }

    public Options withDownload(boolean on) {
      return new Options(dataDir, on, cacheDir, mirror, allowSubset, log, systemDir);
    }

    public Options withCacheDir(Path dir) {
      return new Options(dataDir, download, dir, mirror, allowSubset, log, systemDir);
    }

    public Options withMirror(URI uri) {
      return new Options(dataDir, download, cacheDir, uri, allowSubset, log, systemDir);
    }

    public Options withAllowSubset(boolean allow) {
      return new Options(dataDir, download, cacheDir, mirror, allow, log, systemDir);
    }

    public Options withSystemDir(Path dir) {
      return new Options(dataDir, download, cacheDir, mirror, allowSubset, log, dir);
    }

    public Options withLog(Consumer<String> sink) {
      return new Options(dataDir, download, cacheDir, mirror, allowSubset, sink, systemDir);
    }
  }

  /** Finds and reads the dataset as the class comment describes. */
  public static FashionMnist load(Options options) {
    Consumer<String> log = options.log();
    if (options.dataDir() != null) {
      if (findFile(options.dataDir(), FILES[0]) == null) {
        throw new DatasetException(
            "No Fashion-MNIST files in "
                + options.dataDir()
                + " (expected "
                + FILES[0]
                + "[.gz] and the three others)");
      }
      log.accept("Fashion-MNIST: reading " + options.dataDir());
      return fromDirectory(options.dataDir(), false);
    }
    Path debian = options.systemDir();
    if (findFile(debian, FILES[0]) != null) {
      log.accept("Fashion-MNIST: reading " + debian);
      return fromDirectory(debian, false);
    }
    Path cache = options.cacheDir();
    if (findFile(cache, FILES[0]) != null) {
      log.accept("Fashion-MNIST: reading the cache " + cache);
      return fromDirectory(cache, true);
    }
    if (options.download()) {
      for (String file : FILES) {
        URI source = options.mirror().resolve(file + ".gz");
        log.accept("Fashion-MNIST: downloading " + source);
        Download.fetch(source, cache.resolve(file + ".gz"), sha256Of(file), true);
      }
      return fromDirectory(cache, true);
    }
    String notFound =
        "Fashion-MNIST: no copy in "
            + debian
            + " (Debian's dataset-fashion-mnist) or in "
            + cache
            + ", and no download was asked for";
    if (!options.allowSubset()) {
      throw new DatasetException(
          notFound + "; pass download=true (Options.withDownload) or name a directory");
    }
    FashionMnist subset = embeddedSubset();
    log.accept(
        notFound
            + "; using the "
            + subset.source()
            + " (ask for a download, e.g. the main job's --download, for the full dataset)");
    return subset;
  }

  /**
   * Reads the four files (plain or {@code .gz}) from {@code dir}; with {@code verify}, each must
   * match its published SHA-256 first (for the cache, which a crash or a full disk could damage).
   */
  static FashionMnist fromDirectory(Path dir, boolean verify) {
    IdxFile[] files = new IdxFile[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      Path f = findFile(dir, FILES[i]);
      if (f == null) {
        throw new DatasetException("Missing " + FILES[i] + "[.gz] in " + dir);
      }
      if (verify) {
        verify(f, SHA256[i]);
      }
      files[i] = IdxFile.read(f, i % 2 == 0 ? 3 : 1);
    }
    return new FashionMnist(
        split(files[0], files[1], dir + "/" + FILES[0]),
        split(files[2], files[3], dir + "/" + FILES[2]),
        dir.toString(),
        false);
  }

  /** The subset shipped as resources of this package: the first images of each split. */
  public static FashionMnist embeddedSubset() {
    IdxFile[] files = new IdxFile[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      String name = "subset-" + FILES[i] + ".gz";
      try (InputStream in = FashionMnist.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new DatasetException("The library jar lacks its resource dev/sonnet/data/" + name);
        }
        files[i] = IdxFile.read(in, name, i % 2 == 0 ? 3 : 1);
      } catch (IOException e) {
        throw new DatasetException(
            "Cannot read resource " + name + ": " + Describe.throwable(e), e);
      }
    }
    return new FashionMnist(
        split(files[0], files[1], "embedded train subset"),
        split(files[2], files[3], "embedded test subset"),
        "embedded subset ("
            + files[1].dims()[0]
            + " train, "
            + files[3].dims()[0]
            + " test images)",
        true);
  }

  private static void verify(Path file, String expected) {
    String actual;
    try {
      actual = Download.sha256(file, file.getFileName().toString().endsWith(".gz"));
    } catch (IOException e) {
      throw new DatasetException("Cannot read " + file + ": " + Describe.throwable(e), e);
    }
    if (!actual.equals(expected)) {
      throw new DatasetException(
          file
              + " does not match the published Fashion-MNIST file (SHA-256 "
              + actual
              + ", expected "
              + expected
              + "): it is damaged or another dataset; delete it and download again");
    }
  }

  private static String sha256Of(String file) {
    for (int i = 0; i < FILES.length; i++) {
      if (FILES[i].equals(file)) {
        return SHA256[i];
      }
    }
    throw new IllegalArgumentException(file);
  }

  /** Images and labels as one dataset, checking that they belong together. */
  static ArrayDataset split(IdxFile images, IdxFile labels, String source) {
    int[] d = images.dims();
    int[] l = labels.dims();
    if (d[0] != l[0]) {
      throw new DatasetException(source + ": " + d[0] + " images but " + l[0] + " labels");
    }
    byte[] raw = labels.data();
    int[] ids = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      ids[i] = raw[i] & 0xff;
      if (ids[i] > 9) {
        throw new DatasetException(source + ": label " + ids[i] + " is outside 0..9");
      }
    }
    return ArrayDataset.of(
        List.of(
            Column.wrapBytes("image", images.data(), d[1], d[2], 1),
            Column.wrapInts("label", ids)));
  }

  static Path findFile(Path dir, String name) {
    for (Path p : new Path[] {dir.resolve(name + ".gz"), dir.resolve(name)}) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  static Path defaultCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("sonnet").resolve("fashion-mnist");
  }

  @Override
  public String toString() {
    return "FashionMnist(" + source + ")";
  }
}
