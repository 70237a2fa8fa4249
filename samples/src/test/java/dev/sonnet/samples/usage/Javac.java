package dev.sonnet.samples.usage;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles Java sources as a user's build would: {@code --release 25}, the test's class path (api,
 * runtimes) as the class path, and the Sonnet annotation processor run from the same path (it is
 * there as a provided dependency), named explicitly as {@code annotationProcessorPaths} does.
 */
final class Javac {
  private Javac() {}

  /**
   * Writes {@code sources} (path relative to a source root, like {@code app/Main.java}, to text)
   * under {@code dir/src}, compiles them into {@code dir/classes} and returns that folder.
   *
   * @throws AssertionError with javac's messages if compilation fails
   */
  static Path compile(Path dir, Map<String, String> sources, String... extraClassPath) {
    try {
      Path src = dir.resolve("src");
      Path out = dir.resolve("classes");
      Files.createDirectories(out);
      List<String> args = new ArrayList<>();
      for (Map.Entry<String, String> e : sources.entrySet()) {
        Path file = src.resolve(e.getKey());
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue());
        args.add(file.toString());
      }
      String classPath =
          String.join(
              File.pathSeparator,
              List.of(
                  String.join(File.pathSeparator, extraClassPath),
                  System.getProperty("java.class.path")));
      args.addAll(
          0,
          List.of(
              "--release",
              "25",
              "-Xlint:all,-processing,-options",
              "-proc:full",
              "-processor",
              "dev.sonnet.processor.ModuleProcessor",
              "-processorpath",
              System.getProperty("java.class.path"),
              "-cp",
              classPath,
              "-d",
              out.toString()));
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      ByteArrayOutputStream messages = new ByteArrayOutputStream();
      int status = javac.run(null, messages, messages, args.toArray(String[]::new));
      if (status != 0) {
        throw new AssertionError(
            "javac failed:\n" + messages.toString(StandardCharsets.UTF_8) + "\n" + sources);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
