package dev.sonnet.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Fetches one file into a cache directory and proves it is the expected one: written to {@code
 * name.part}, its SHA-256 checked, then renamed atomically, so the cache never holds a partial or
 * wrong file under the real name. {@code http}, {@code https} and {@code file} addresses (the last
 * for mirrors on a shared disk, and for tests, which never reach the network).
 */
final class Download {
  /** How long to wait for a connection: long enough for a slow link, short enough to say why. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

  /** How long one file may take in all (the largest Fashion-MNIST file is 26 MB). */
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

  private Download() {}

  /**
   * Downloads {@code source} to {@code target}, checking the SHA-256 of its content (of the
   * decompressed bytes when {@code gzipped}, so any faithful recompression passes).
   *
   * @throws DatasetException saying which address failed and why (the status code, the network
   *     error, or both checksums)
   */
  static void fetch(URI source, Path target, String sha256, boolean gzipped) {
    Path part = target.resolveSibling(target.getFileName() + ".part");
    try {
      Files.createDirectories(target.getParent());
      copy(source, part);
      String actual = sha256(part, gzipped);
      if (!actual.equals(sha256)) {
        throw new DatasetException(
            "Downloaded "
                + source
                + " but its content has SHA-256 "
                + actual
                + ", expected "
                + sha256
                + ": the server sent another file or a damaged one; nothing was kept");
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new DatasetException(
          "Downloading "
              + source
              + " to "
              + target
              + " failed: "
              + Describe.throwable(e)
              + hint(e, source),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatasetException("Downloading " + source + " was interrupted", e);
    } finally {
      try {
        Files.deleteIfExists(part);
      } catch (IOException ignored) {
        // the .part file is never read; a later download overwrites it
      }
    }
  }

  /** The usual cause of a network failure, for errors whose own message says little. */
  private static String hint(IOException e, URI source) {
    if (e instanceof UnknownHostException) {
      return " (the name " + source.getHost() + " does not resolve: no network, or no DNS)";
    }
    if (e instanceof ConnectException) {
      return " (nothing answered at "
          + source.getHost()
          + (source.getPort() >= 0 ? ":" + source.getPort() : "")
          + ": no network, a firewall, or a wrong address)";
    }
    if (e instanceof HttpTimeoutException) {
      return " (no answer within the time limit: a slow or blocked network)";
    }
    return "";
  }

  private static void copy(URI source, Path part) throws IOException, InterruptedException {
    String scheme = source.getScheme() == null ? "" : source.getScheme().toLowerCase();
    switch (scheme) {
      case "file" -> Files.copy(Path.of(source), part, StandardCopyOption.REPLACE_EXISTING);
      case "http", "https" -> {
        try (HttpClient client =
            HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build()) {
          HttpRequest request = HttpRequest.newBuilder(source).timeout(REQUEST_TIMEOUT).build();
          HttpResponse<Path> response =
              client.send(request, HttpResponse.BodyHandlers.ofFile(part));
          if (response.statusCode() != 200) {
            throw new IOException("the server answered HTTP " + response.statusCode());
          }
        }
      }
      default ->
          throw new IOException(
              "unsupported address scheme '" + scheme + "' (http, https and file are supported)");
    }
  }

  /** The SHA-256 of a file's content, decompressed first when {@code gzipped}, in hex. */
  static String sha256(Path file, boolean gzipped) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = gzipped ? new GZIPInputStream(raw, 1 << 16) : raw) {
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
