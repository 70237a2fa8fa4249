package dev.sonnet.samples.usage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Merges class folders and jars into one jar the way maven-shade-plugin does without any resource
 * transformer: entries in order, and of two entries with one name the first is kept and the other
 * dropped. That includes {@code META-INF/services} files, which is what a fat jar gets wrong.
 */
final class UberJar {
  private UberJar() {}

  /** Writes {@code jar} from {@code parts} in order, with {@code manifest} as its manifest. */
  static Path build(Path jar, Manifest manifest, List<Path> parts) {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest)) {
      Set<String> written = new HashSet<>(Set.of(JarFile.MANIFEST_NAME, "META-INF/"));
      for (Path part : parts) {
        if (Files.isDirectory(part)) {
          try (Stream<Path> files = Files.walk(part)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
              String name = part.relativize(f).toString().replace('\\', '/');
              try (InputStream in = Files.newInputStream(f)) {
                add(out, written, name, in);
              }
            }
          }
        } else {
          try (JarFile in = new JarFile(part.toFile())) {
            for (JarEntry e : in.stream().filter(e -> !e.isDirectory()).toList()) {
              try (InputStream data = in.getInputStream(e)) {
                add(out, written, e.getName(), data);
              }
            }
          }
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A manifest with {@code attributes} (name, value, name, value, ...). */
  static Manifest manifest(String... attributes) {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    for (int i = 0; i < attributes.length; i += 2) {
      m.getMainAttributes().putValue(attributes[i], attributes[i + 1]);
    }
    return m;
  }

  private static void add(JarOutputStream out, Set<String> written, String name, InputStream in)
      throws IOException {
    if (name.equals(JarFile.MANIFEST_NAME) || name.endsWith("module-info.class")) {
      return; // a fat jar has one manifest (its own) and runs on the class path
    }
    if (!written.add(name)) {
      return; // the first of two entries with one name wins, as in maven-shade by default
    }
    out.putNextEntry(new JarEntry(name));
    in.transferTo(out);
    out.closeEntry();
  }
}
