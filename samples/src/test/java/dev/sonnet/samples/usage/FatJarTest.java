package dev.sonnet.samples.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.FatJars;
import dev.sonnet.runtime.cpu.CpuBackendProvider;
import dev.sonnet.runtime.opencl.OpenClBackendProvider;
import dev.sonnet.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jocl.CL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application packed into one jar as maven-shade-plugin packs it with no resource transformer
 * (of two {@code META-INF/services} files with one name, the first wins), then run in a fresh JVM.
 * The application is compiled here with the Sonnet processor, as a user's build compiles it.
 */
class FatJarTest {
  private static final String APP_MODULE =
      """
      package app;

      import dev.sonnet.initializers.Initializers;
      import dev.sonnet.module.Build;
      import dev.sonnet.module.Layer;
      import dev.sonnet.module.Module;
      import dev.sonnet.module.Param;
      import dev.sonnet.tensor.Tensor;
      import dev.sonnet.tensor.Variable;

      public final class Scale extends Module implements Layer {
        @Param Variable s;

        @Build
        void initialize(Tensor x) {
          s = variable("s", Initializers.ones(), x.dtype(), x.dim(-1));
        }

        @Override
        public Tensor call(Tensor x) {
          build(x);
          return x.mul(s);
        }
      }
      """;

  private static final String APP_MAIN =
      """
      package app;

      import dev.sonnet.backend.BackendProvider;
      import dev.sonnet.backend.Backends;
      import dev.sonnet.module.Sequential;
      import dev.sonnet.nn.Linear;
      import dev.sonnet.tensor.DType;
      import dev.sonnet.tensor.Tensor;

      public final class Main {
        public static void main(String[] args) {
          Tensor x = Tensor.ones(DType.FLOAT32, 2, 3);
          Tensor y = new Linear(4).call(x);
          System.out.println("library module " + y.shape());
          Tensor z = Sequential.of(new Scale(), new Linear(2)).call(x);
          System.out.println("application module " + z.shape());
          System.out.println(
              "backends "
                  + Backends.providers().stream().map(BackendProvider::name).sorted().toList());
        }
      }
      """;

  /** A second library of Sonnet modules, whose service file can shadow the application's. */
  private static final String OTHER_LIBRARY =
      """
      package other;

      import dev.sonnet.module.Layer;
      import dev.sonnet.module.Module;
      import dev.sonnet.tensor.Tensor;

      public final class Twice extends Module implements Layer {
        @Override
        public Tensor call(Tensor x) {
          return x.mul(2);
        }
      }
      """;

  @TempDir static Path dir;
  static Path app;
  static Path otherLibrary;

  @BeforeAll
  static void compileTheApplication() {
    app =
        Javac.compile(
            dir.resolve("app"), Map.of("app/Scale.java", APP_MODULE, "app/Main.java", APP_MAIN));
    otherLibrary = Javac.compile(dir.resolve("other"), Map.of("other/Twice.java", OTHER_LIBRARY));
  }

  @Test
  void aShadedApplication_findsTheLibrarysModulesAndItsOwn_andNamesTheLostRuntime()
      throws Exception {
    // The application first (as shade puts the project's own classes), then the library jars.
    Path jar =
        UberJar.build(
            dir.resolve("app-shaded.jar"),
            UberJar.manifest("Main-Class", "app.Main"),
            List.of(
                app,
                api(),
                location(CpuBackendProvider.class),
                location(OpenClBackendProvider.class)));

    Run run = java(jar, true);

    assertThat(run.exit).as(run.toString()).isZero();
    assertThat(run.out)
        .contains("library module [2, 4]")
        .contains("application module [2, 2]")
        .contains("backends [cpu]");
    // The OpenCL runtime's classes are in the jar but its service entry lost to the CPU runtime's.
    assertThat(run.err)
        .contains("WARNING")
        .contains("'opencl' (sonnet-runtime-opencl) is on the class path but not registered")
        .contains(FatJars.SHADE_TRANSFORMER);
  }

  @Test
  void theOtherOrder_losesTheCpuRuntime_saysSo_andTheManifestGrantsNativeAccess() throws Exception {
    // The OpenCL runtime first: the CPU runtime's service entry is the one lost. JOCL loads its
    // native library; Enable-Native-Access in the executable jar's manifest allows it without the
    // --enable-native-access flag (the JDK reads it from the main jar only).
    Path jar =
        UberJar.build(
            dir.resolve("app-opencl-first.jar"),
            UberJar.manifest("Main-Class", "app.Main", "Enable-Native-Access", "ALL-UNNAMED"),
            List.of(
                app,
                api(),
                location(OpenClBackendProvider.class),
                location(CpuBackendProvider.class),
                location(CL.class)));

    Run run = java(jar, true);

    // With a GPU the OpenCL backend runs the program; without one, no backend is available. Either
    // way the lost CPU runtime is named with the fix.
    assertThat(run.err)
        .as(run.toString())
        .contains("'cpu' (sonnet-runtime-cpu) is on the class path but not registered")
        .contains(FatJars.SHADE_TRANSFORMER)
        .doesNotContain("restricted method");
  }

  @Test
  void anApplicationWhoseServiceFileWasShadowed_isToldWhichTransformerToAdd() throws Exception {
    // Another library of modules first: its service file wins over the application's.
    Path jar =
        UberJar.build(
            dir.resolve("app-shadowed.jar"),
            UberJar.manifest("Main-Class", "app.Main"),
            List.of(otherLibrary, app, api(), location(CpuBackendProvider.class)));

    Run run = java(jar, true);

    assertThat(run.exit).as(run.toString()).isNotZero();
    assertThat(run.out).contains("library module [2, 4]");
    assertThat(run.err)
        .contains(
            "Scale cannot be built: app.Scale was compiled with the Sonnet annotation processor")
        .contains("META-INF/services/dev.sonnet.module.ModuleMeta entry was lost")
        .contains(FatJars.SHADE_TRANSFORMER)
        .doesNotContain("compiled without the Sonnet annotation processor");
  }

  @Test
  void aJvmWithoutTheVectorModule_warnsAndNamesTheFlag() throws Exception {
    Path jar =
        UberJar.build(
            dir.resolve("app-plain.jar"),
            UberJar.manifest("Main-Class", "app.Main"),
            List.of(app, api(), location(CpuBackendProvider.class)));

    Run run = java(jar, false);

    assertThat(run.exit).as(run.toString()).isZero();
    assertThat(run.err).contains("WARNING").contains("--add-modules jdk.incubator.vector");
  }

  private static Path api() throws URISyntaxException {
    return location(Tensor.class);
  }

  private static Path location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private record Run(int exit, String out, String err) {}

  /** Runs {@code java -jar jar} in a fresh JVM, with or without the Vector API module. */
  private static Run java(Path jar, boolean vectorModule) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (vectorModule) {
      cmd.add("--add-modules=jdk.incubator.vector");
    }
    cmd.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the fat jar did not finish in 60 s: " + cmd);
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
