package dev.sonnet.samples.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code java} code block of the project README compiles as written, with its imports, and
 * the newcomer's program runs and trains.
 *
 * <p>Each block is compiled on its own, in its own package, with the Sonnet processor, as a user's
 * build would: its {@code import} lines head every file made from it; each top-level type declared
 * in it (a line starting {@code public final class}, {@code record}, ... up to the closing {@code
 * }} at the start of a line) becomes a file of its own; the remaining lines are statements, the
 * body of one method. So a block may define a module and then use it, and must declare every
 * variable it uses. A block with a {@code main} method is also run in a fresh JVM.
 */
class ReadmeSnippetsTest {
  private static final Pattern FENCE = Pattern.compile("(?s)```java\\n(.*?)```");
  private static final Pattern TYPE_DECL =
      Pattern.compile(
          "^(?:@\\w+\\s+)*(?:public\\s+|final\\s+|abstract\\s+|sealed\\s+)*"
              + "(?:class|record|interface|enum)\\s+(\\w+).*");

  @TempDir Path dir;

  @Test
  void everyJavaBlock_compilesAsWritten_andTheNewcomersProgramTrains() throws Exception {
    List<String> blocks = javaBlocks(Files.readString(readme()));
    assertThat(blocks).as("java blocks in README.md").hasSizeGreaterThanOrEqualTo(10);

    Map<String, String> sources = new LinkedHashMap<>();
    List<String> mains = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      Snippet s = Snippet.parse(blocks.get(i), "readme" + i);
      sources.putAll(s.sources());
      mains.addAll(s.mainClasses());
    }
    Path classes = Javac.compile(dir, sources);

    assertThat(mains).as("the README's complete program").hasSize(1);
    Result run = java(classes, mains.get(0));
    assertThat(run.exit).as(run.output).isZero();
    Matcher accuracy = Pattern.compile("accuracy (\\d\\.\\d+)").matcher(run.output);
    assertThat(accuracy.find()).as(run.output).isTrue();
    assertThat(Double.parseDouble(accuracy.group(1))).as(run.output).isGreaterThan(0.9);
  }

  /** One README block split into files of package {@code pkg}. */
  private record Snippet(Map<String, String> sources, List<String> mainClasses) {
    static Snippet parse(String block, String pkg) {
      List<String> imports = new ArrayList<>();
      List<String> statements = new ArrayList<>();
      Map<String, String> types = new LinkedHashMap<>();
      String[] lines = block.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        Matcher decl = TYPE_DECL.matcher(line);
        if (line.startsWith("import ")) {
          imports.add(line);
        } else if (decl.matches()) {
          StringBuilder body = new StringBuilder(line).append('\n');
          while (!lines[i].equals("}")) {
            i++;
            body.append(lines[i]).append('\n');
          }
          types.put(decl.group(1), body.toString());
        } else {
          statements.add(line);
        }
      }
      String head = "package " + pkg + ";\n\n" + String.join("\n", imports) + "\n\n";
      Map<String, String> sources = new LinkedHashMap<>();
      List<String> mains = new ArrayList<>();
      types.forEach(
          (name, body) -> {
            sources.put(pkg + "/" + name + ".java", head + body);
            if (body.contains("public static void main(String[] args)")) {
              mains.add(pkg + "." + name);
            }
          });
      if (statements.stream().anyMatch(l -> !l.isBlank() && !l.strip().startsWith("//"))) {
        sources.put(
            pkg + "/Statements.java",
            head
                + "@SuppressWarnings(\"unused\")\nclass Statements {\n"
                + "  static void run() throws Exception {\n"
                + String.join("\n", statements)
                + "\n  }\n}\n");
      }
      return new Snippet(sources, mains);
    }
  }

  static List<String> javaBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    Matcher m = FENCE.matcher(markdown);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  private record Result(int exit, String output) {}

  private Result java(Path classes, String mainClass) throws IOException, InterruptedException {
    Path work = Files.createDirectories(dir.resolve("run"));
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-modules=jdk.incubator.vector",
            "-Xmx512m",
            "-Dsonnet.backend=cpu",
            "-cp",
            classes + java.io.File.pathSeparator + System.getProperty("java.class.path"),
            mainClass);
    Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the README's program did not finish in 120 s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** The repository's README.md, found from the samples module's directory or the root. */
  static Path readme() {
    for (Path p : List.of(Path.of("..", "README.md"), Path.of("README.md"))) {
      if (Files.isRegularFile(p) && Files.isDirectory(p.resolveSibling("samples"))) {
        return p;
      }
    }
    throw new AssertionError("README.md not found from " + Path.of("").toAbsolutePath());
  }
}
