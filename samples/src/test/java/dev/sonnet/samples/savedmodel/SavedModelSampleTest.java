package dev.sonnet.samples.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saved-model example end to end: {@link TrainAndSave} trains and saves here; then a fresh JVM
 * whose class path holds only the library's and the CPU runtime's classes runs {@link LoadAndServe}
 * as a single source file, so the model's class ({@code MyMLP}) does not exist there.
 */
class SavedModelSampleTest {
  @TempDir Path dir;

  @Test
  void trainedModel_loadsAndServesInAJvmWithoutItsCode() throws IOException, InterruptedException {
    Path file = dir.resolve("sine.savedmodel");
    double loss = TrainAndSave.run(file, 300, new PrintStream(new ByteArrayOutputStream()));
    // y = sin(3x) has variance ~0.5 on [-1, 1]; 300 Adam steps of a 32-unit MLP get far below it.
    assertThat(loss).isLessThan(0.05);

    List<String> libraryOnly = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String e = entry.replace('\\', '/');
      boolean api =
          e.endsWith("/api/target/classes") || (e.contains("sonnet-api") && !e.contains("tests"));
      boolean runtime =
          e.endsWith("/runtime-cpu/target/classes") || e.contains("sonnet-runtime-cpu");
      if (api || runtime) {
        libraryOnly.add(entry);
      }
    }
    assertThat(libraryOnly).as("the library and the runtime on the test class path").hasSize(2);
    Path source = Path.of("src/main/java/dev/sonnet/samples/savedmodel/LoadAndServe.java");
    assertThat(source).exists();
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "-Xmx256m",
                "-cp",
                String.join(File.pathSeparator, libraryOnly),
                source.toString(),
                file.toString())
            .redirectErrorStream(true)
            .start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(done).as("the loader finished: %s", out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("classes of the model on the class path: false");
    assertThat(out).contains("variable my_mlp/x_to_h/w f32[1, 32]");
    Matcher m = Pattern.compile("inference\\((-?[0-9.]+)\\) = (-?[0-9.]+)").matcher(out);
    int found = 0;
    while (m.find()) {
      double x = Double.parseDouble(m.group(1));
      double y = Double.parseDouble(m.group(2));
      // The trained fit's error: loss < 0.05 means an RMS error below 0.23; 0.35 bounds one point.
      assertThat(y)
          .as("inference(%s)", x)
          .isCloseTo(Math.sin(3 * x), org.assertj.core.data.Offset.offset(0.35));
      found++;
    }
    assertThat(found).isEqualTo(4);
    Files.deleteIfExists(file);
  }
}
