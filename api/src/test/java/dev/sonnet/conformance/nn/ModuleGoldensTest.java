package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sonnet.conformance.nn.ModuleGoldens.Golden;
import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The module goldens, small reviewed text files that pin each module family: for each entry of
 * {@link ModuleGoldens}, the repr, input and output specs, variable and parameter counts and {@code
 * path -> dtype[shape]} lines must equal the checked-in {@code goldens/modules/<name>.txt}; and
 * every public module class of {@code dev.sonnet.nn}, {@code dev.sonnet.nets} and {@code
 * dev.sonnet.recurrent} must have a golden.
 *
 * <p>A missing or different golden fails with the actual text and the file to write. To write them
 * all after a reviewed change, run with {@code -Dsonnet.goldens.update=true}.
 */
class ModuleGoldensTest {
  static final String DIR = "goldens/modules/";
  static final String SOURCE_DIR = "api/src/test/resources/" + DIR;

  static Stream<Golden> goldens() {
    return ModuleGoldens.all().stream();
  }

  /** The golden text of {@code g}: created fresh, run once on its deterministic input. */
  static String render(Golden g) {
    Module m = g.create().get();
    Tensor x = ModuleGoldens.input(g.dtype(), g.shape());
    Tensor y = g.forward().apply(m, x);
    List<Variable> vars = m.variables();
    long params = 0;
    for (Variable v : vars) {
      params += v.shape().size();
    }
    StringBuilder sb = new StringBuilder();
    sb.append("module: ").append(m.getClass().getSimpleName()).append('\n');
    sb.append(m).append('\n');
    sb.append("input: ").append(ModuleChecks.spec(x.dtype(), x.shape())).append('\n');
    sb.append("output: ").append(ModuleChecks.spec(y.dtype(), y.shape())).append('\n');
    sb.append("variables: ").append(vars.size()).append('\n');
    sb.append("parameters: ").append(params).append('\n');
    for (String line : ModuleChecks.variableLines(m)) {
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void golden_matchesCheckedInFile(Golden g) throws IOException {
    String actual = render(g);
    String file = g.name() + ".txt";
    String expected = read(DIR + file);
    if (Boolean.getBoolean("sonnet.goldens.update")) {
      Path target = sourceDir().resolve(file);
      Files.createDirectories(target.getParent());
      Files.writeString(target, actual, StandardCharsets.UTF_8);
      return;
    }
    if (expected == null) {
      fail(
          "No golden for '"
              + g.name()
              + "' ("
              + g.type().getSimpleName()
              + "). Review this"
              + " text and save it as "
              + SOURCE_DIR
              + file
              + " (or run with"
              + " -Dsonnet.goldens.update=true):\n"
              + actual);
    }
    assertThat(actual)
        .as(
            "golden %s%s; if the change is intended, update the file (or run with"
                + " -Dsonnet.goldens.update=true)",
            SOURCE_DIR, file)
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void golden_isDeterministicAcrossInstances(Golden g) {
    assertThat(render(g)).isEqualTo(render(g));
  }

  @Test
  void coverage_everyPublicModuleHasAGolden() throws Exception {
    Set<Class<?>> covered = new HashSet<>();
    for (Golden g : ModuleGoldens.all()) {
      covered.add(g.type());
    }
    Set<String> missing = new TreeSet<>();
    List<Class<?>> found = new ArrayList<>();
    for (String pkg : List.of("dev.sonnet.nn", "dev.sonnet.nets", "dev.sonnet.recurrent")) {
      for (Class<?> c : ModuleGoldens.publicModules(pkg)) {
        found.add(c);
        if (!covered.contains(c)) {
          missing.add(c.getName());
        }
      }
    }
    assertThat(found).as("module classes found by scanning").hasSizeGreaterThan(20);
    assertThat(missing)
        .as(
            "public modules without a golden: add an entry to ModuleGoldens.all()"
                + " and its file under "
                + SOURCE_DIR)
        .isEmpty();
  }

  static String read(String resource) throws IOException {
    try (InputStream in = ModuleGoldensTest.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The checked-in goldens folder, found upwards from the working directory. */
  static Path sourceDir() {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("api/src/test/resources"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "cannot find api/src/test/resources above " + Paths.get("").toAbsolutePath());
    }
    return p.resolve(SOURCE_DIR);
  }
}
