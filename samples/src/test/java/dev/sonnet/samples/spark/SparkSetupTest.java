package dev.sonnet.samples.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("spark")
class SparkSetupTest {
  @Test
  void thePomsDriverOptionsAreSparksModuleOptions() {
    // samples/pom.xml copies the list into spark.driver.options (a JVM's options cannot be added
    // once it runs); this fails when a Spark upgrade changes the list.
    assertThat(System.getProperty("sonnet.spark.driverOptions"))
        .isEqualTo(JavaModuleOptions.defaultModuleOptions());
    assertThatNoException().isThrownBy(SparkSetup::checkDriverJvm);
  }

  @Test
  void aDriverJvmWithoutSparksModuleOptionsIsToldWhatToAdd() throws Exception {
    // A child JVM on the same class path, started without the options: the job stops before
    // Spark starts, naming what is missing and the whole list.
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                SparkTrainingJob.class.getName(),
                "--steps",
                "1")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isEqualTo(2);
    assertThat(out)
        .contains("This JVM cannot run a Spark driver on JDK 25: it lacks")
        .contains("--add-opens=java.base/java.lang=ALL-UNNAMED")
        .contains("--add-modules=jdk.incubator.vector")
        .contains(
            "Start it with Spark's module options: " + JavaModuleOptions.defaultModuleOptions())
        .doesNotContain("Exception");
  }

  @Test
  void slotsOfLocalMasters() {
    assertThat(SparkSetup.slots("local[2]")).isEqualTo(2);
    assertThat(SparkSetup.slots("local[3, 4]")).isEqualTo(3);
    assertThat(SparkSetup.slots("local")).isEqualTo(1);
    assertThat(SparkSetup.slots("local-cluster[2,1,1024]")).isEqualTo(2);
    assertThat(SparkSetup.slots("local-cluster[3, 2, 512]")).isEqualTo(6);
    assertThat(SparkSetup.slots("spark://127.0.0.1:7077")).isEqualTo(-1);
    assertThatThrownBy(() -> SparkSetup.slots("local(2)"))
        .hasMessageContaining("Unknown local master \"local(2)\"");
  }

  @Test
  void aMasterWithTooFewSlotsIsRefusedBeforeSparkWaitsForThem() {
    assertThatThrownBy(() -> SparkSetup.conf("local[1]", 2, List.of(), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runs 1 tasks at once, but a barrier stage of 2 replicas");
    assertThatThrownBy(() -> SparkSetup.conf("local[2]", 0, List.of(), 1))
        .hasMessageContaining("at least 1 replica");
  }

  @Test
  void confBindsToLoopbackAndWaitsForEveryExecutor(@TempDir Path dir) throws Exception {
    SparkConf local = SparkSetup.conf("local[2]", 2, List.of(), 1);
    assertThat(local.get("spark.driver.host")).isEqualTo("127.0.0.1");
    assertThat(local.get("spark.driver.bindAddress")).isEqualTo("127.0.0.1");
    assertThat(local.contains("spark.jars")).isFalse();

    assertThatThrownBy(() -> SparkSetup.conf("local-cluster[2,1,1024]", 2, List.of(), 1))
        .hasMessageContaining("need the application's jars");
    assertThatThrownBy(
            () -> SparkSetup.conf("local-cluster[2,1,1024]", 2, List.of(dir.resolve("x.jar")), 1))
        .hasMessageContaining("x.jar does not exist");

    Path jar = Files.createFile(dir.resolve("app.jar"));
    SparkConf cluster = SparkSetup.conf("local-cluster[2,1,1024]", 2, List.of(jar), 1);
    assertThat(cluster.get("spark.jars")).isEqualTo(jar.toAbsolutePath().toString());
    assertThat(cluster.get("spark.cores.max")).isEqualTo("2");
    assertThat(cluster.get("spark.scheduler.minRegisteredResourcesRatio")).isEqualTo("1.0");
    assertThat(cluster.get("spark.executor.extraJavaOptions"))
        .isEqualTo("-Dsonnet.backend=cpu -Dsonnet.cpu.threads=1");
  }

  @Test
  void localClusterNeedsSparkHomeAndScalaVersion(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> SparkSetup.checkLocalClusterEnvironment(Map.of()))
        .hasMessageContaining("SPARK_HOME is unset");
    assertThatThrownBy(
            () ->
                SparkSetup.checkLocalClusterEnvironment(
                    Map.of("SPARK_HOME", dir.toString(), "SPARK_SCALA_VERSION", "2.13")))
        .hasMessageContaining("without a jars/ folder");
    Files.createDirectory(dir.resolve("jars"));
    assertThatThrownBy(
            () -> SparkSetup.checkLocalClusterEnvironment(Map.of("SPARK_HOME", dir.toString())))
        .hasMessageContaining("SPARK_SCALA_VERSION=2.13");
    assertThatThrownBy(
            () ->
                SparkSetup.checkLocalClusterEnvironment(
                    Map.of("SPARK_HOME", dir.toString(), "SPARK_SCALA_VERSION", "2.13")))
        .hasMessageContaining("SPARK_LOCAL_IP");
    assertThatNoException()
        .isThrownBy(
            () ->
                SparkSetup.checkLocalClusterEnvironment(
                    Map.of(
                        "SPARK_HOME",
                        dir.toString(),
                        "SPARK_SCALA_VERSION",
                        "2.13",
                        "SPARK_LOCAL_IP",
                        "127.0.0.1")));
  }
}
