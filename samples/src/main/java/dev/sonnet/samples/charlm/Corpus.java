package dev.sonnet.samples.charlm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The text a {@link CharLmJob} trains on, and where it came from.
 *
 * <p>In order: a file named by {@code --text}; the King James Bible from Debian's {@code
 * bible-kjv-text} package ({@value #KJV_DATA}, a compressed file read through its reader {@code
 * bible} from the {@code bible-kjv} package, which depends on it), one verse per line with the
 * verse references removed; or, when neither is there or {@code --embedded} is given, Genesis 1-4
 * (KJV, public domain) embedded in the jar.
 *
 * @param text the whole text
 * @param source where it came from, for the log
 * @param embedded whether it is the excerpt embedded in the jar
 */
record Corpus(String text, String source, boolean embedded) {
  /** The Debian package's data file. */
  static final String KJV_DATA = "/usr/lib/bible.data";

  /** The embedded excerpt, a class-path resource next to this class. */
  static final String EXCERPT = "genesis-1-4-kjv.txt";

  /**
   * A verse reference at the start of a line of {@code bible -f}: {@code Ge1:1 }, {@code 1Sa2:3 }.
   */
  private static final Pattern REFERENCE = Pattern.compile("(?m)^\\S+?\\d+:\\d+ ");

  /** Loads the text, saying on {@code out} which source it used and why. */
  static Corpus load(Path textFile, boolean forceEmbedded, PrintStream out) {
    if (textFile != null) {
      try {
        return new Corpus(
            Files.readString(textFile, StandardCharsets.UTF_8), textFile.toString(), false);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read --text " + textFile + ": " + e.getMessage(), e);
      }
    }
    if (!forceEmbedded) {
      String why = kjvUnavailable();
      if (why == null) {
        try {
          String text = readKjv();
          return new Corpus(
              text,
              "King James Bible, Debian bible-kjv-text (" + KJV_DATA + ", read with `bible -f`)",
              false);
        } catch (IOException e) {
          why = "reading it with `bible` failed: " + e.getMessage();
        }
      }
      out.println(
          "The King James Bible is not available (" + why + "); using the embedded excerpt.");
    }
    return excerpt();
  }

  /** The excerpt embedded in the jar: Genesis 1-4, KJV. */
  static Corpus excerpt() {
    try (InputStream in = Corpus.class.getResourceAsStream(EXCERPT)) {
      if (in == null) {
        throw new IllegalStateException(
            "The embedded excerpt " + EXCERPT + " is missing from the jar");
      }
      return new Corpus(
          new String(in.readAllBytes(), StandardCharsets.UTF_8),
          "embedded excerpt: Genesis 1-4, King James Version",
          true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Null when the KJV can be read, otherwise why not. */
  private static String kjvUnavailable() {
    if (!Files.isRegularFile(Path.of(KJV_DATA))) {
      return "no " + KJV_DATA + "; apt-get install bible-kjv-text bible-kjv";
    }
    if (bibleReader() == null) {
      return KJV_DATA
          + " is there but its reader `bible` is not on the PATH; apt-get install bible-kjv";
    }
    return null;
  }

  private static Path bibleReader() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "bible");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** The whole KJV, Genesis 1:1 to Revelation 22:21, one verse per line without references. */
  private static String readKjv() throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(bibleReader().toString(), "-f", "Gen1:1-Rev22:21")
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().remove("COLUMNS"); // no line wrapping
    Process p = pb.start();
    String raw;
    try (InputStream in = p.getInputStream()) {
      raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
    try {
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IOException("`bible` exited with " + rc);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String text = REFERENCE.matcher(raw).replaceAll("");
    if (text.length() < 1_000_000) {
      throw new IOException("`bible` printed only " + text.length() + " characters");
    }
    return text;
  }
}
