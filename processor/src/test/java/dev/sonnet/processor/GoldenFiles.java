package dev.sonnet.processor;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;

/**
 * Compares a generated source with {@code src/test/resources/goldens/<name>.java}. A missing or
 * different golden fails and prints the actual source and where it belongs; review it, then copy it
 * there.
 */
final class GoldenFiles {
  private GoldenFiles() {}

  static void assertMatches(Compilation compilation, String qualifiedName) {
    String simple = qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    JavaFileObject file =
        compilation
            .generatedFile(
                StandardLocation.SOURCE_OUTPUT, qualifiedName.replace('.', '/') + ".java")
            .orElseThrow(
                () ->
                    new AssertionError(
                        "No generated "
                            + qualifiedName
                            + "; generated: "
                            + compilation.generatedSourceFiles()));
    String actual;
    try {
      actual = file.getCharContent(true).toString();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    String path = "goldens/" + simple + ".java";
    String expected = read(path);
    if (expected == null) {
      fail(
          "Missing golden processor/src/test/resources/"
              + path
              + "; the generated source is:\n"
              + actual);
    }
    if (!expected.equals(actual)) {
      fail(
          "Generated "
              + qualifiedName
              + " differs from processor/src/test/resources/"
              + path
              + ". If the change is intended, replace the golden with:\n"
              + actual);
    }
  }

  private static String read(String path) {
    try (InputStream in = GoldenFiles.class.getClassLoader().getResourceAsStream(path)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
