package dev.sonnet.samples.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sonnet.backend.BackendProvider;
import dev.sonnet.backend.Backends;
import dev.sonnet.samples.mnist.FashionMnistJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The main job, unchanged, on the OpenCL runtime: samples' {@code opencl} surefire execution runs
 * this class alone in its own JVM with {@code -Dsonnet.backend=opencl
 * -Dsonnet.opencl.deviceType=any}, so on a machine without a GPU it trains on PoCL. The subset is
 * small (1000 images, one epoch: ten SGD steps) because PoCL is a correctness vehicle, not a fast
 * one. Where no OpenCL platform exists the test is skipped with the reason, unless {@value
 * #REQUIRED_ENV} is set, which makes that a failure (as in runtime-opencl).
 */
@Tag("opencl")
class FashionMnistJobOnOpenClTest {
  /** Environment variable that makes a missing OpenCL device a failure instead of a skip. */
  static final String REQUIRED_ENV = "SONNET_REQUIRE_OPENCL";

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void mlp_onASmallSubset_trainsOnOpenCl_printsTheSummaryAndBeatsChanceClearly() {
    assertThat(System.getProperty(Backends.PROPERTY))
        .as(
            "this test runs in samples' 'opencl' surefire execution, which sets"
                + " -Dsonnet.backend=opencl -Dsonnet.opencl.deviceType=any")
        .isEqualTo("opencl");
    requireOpenCl();

    long start = System.nanoTime();
    List<String> lines = runMain("--limit", "1000", "--epochs", "1");
    double seconds = (System.nanoTime() - start) / 1e9;

    assertThat(Backends.getDefault().name()).isEqualTo("opencl");
    assertThat(Backends.getDefault().deviceName()).startsWith("OpenCL: ");
    assertThat(lines.get(0)).startsWith("Backend: opencl (OpenCL: ");
    String last = lines.get(lines.size() - 1);
    assertThat(last).matches("test_accuracy=0\\.\\d{4}");
    double accuracy = Double.parseDouble(last.substring("test_accuracy=".length()));
    // Ten balanced classes: chance is 0.1. Ten SGD steps of the MLP reach well above 0.5.
    assertThat(accuracy).isGreaterThan(0.4);
    assertThat(lines)
        .anyMatch(l -> l.startsWith("| epoch | seconds | examples/s"))
        .anyMatch(l -> l.equals("model          mlp"))
        .anyMatch(l -> l.startsWith("epochs         1"))
        .anyMatch(l -> l.startsWith("epoch 1/1 mean loss ") && l.contains(", test accuracy "));
    System.out.printf(
        "FashionMnistJob on %s: test_accuracy=%.4f in %.1f s%n",
        Backends.getDefault().deviceName(), accuracy, seconds);
  }

  /** Skips (or, where {@value #REQUIRED_ENV} is set, fails) with the reason OpenCL is missing. */
  static void requireOpenCl() {
    BackendProvider provider =
        Backends.providers().stream()
            .filter(p -> p.name().equals("opencl"))
            .findFirst()
            .orElse(null);
    assertThat(provider).as("the OpenCL runtime on samples' test classpath").isNotNull();
    BackendProvider.Availability a = provider.availability();
    if (a.available()) {
      return;
    }
    String required = System.getenv(REQUIRED_ENV);
    if (required != null && !required.isBlank() && !"false".equals(required)) {
      fail(REQUIRED_ENV + " is set but OpenCL is unavailable: " + a.reason());
    }
    assumeTrue(
        false,
        () ->
            "OpenCL unavailable, skipping the main job on OpenCL (set "
                + REQUIRED_ENV
                + "=1 to fail instead): "
                + a.reason());
  }

  /** Runs {@link FashionMnistJob#main} with standard output captured (and echoed after). */
  private static List<String> runMain(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      FashionMnistJob.main(args);
    } finally {
      System.setOut(original);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    original.print(text);
    return text.lines().toList();
  }
}
