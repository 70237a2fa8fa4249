package dev.sonnet.samples.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * The Spark configuration of a training job, and the checks that turn a misconfigured driver into a
 * message naming the fix instead of a stage that waits forever.
 *
 * <p>Three things a barrier stage needs that Spark does not check up front:
 *
 * <ul>
 *   <li><b>Slots for every replica at once.</b> A barrier stage starts all its tasks together or
 *       none; with fewer task slots than replicas Spark retries the submission every 15 s for ten
 *       minutes before failing. {@link #conf} refuses a {@code local[N]} or {@code
 *       local-cluster[W,C,M]} master with too few slots.
 *   <li><b>All executors registered before the stage.</b> On a cluster, {@code spark.cores.max}
 *       asks for exactly the replicas' cores, and {@code
 *       spark.scheduler.minRegisteredResourcesRatio=1.0} makes the driver wait until they have all
 *       registered (at most {@link #EXECUTOR_WAIT}).
 *   <li><b>The driver's module options.</b> Spark needs {@code --add-opens} flags on JDK 25 (its
 *       {@code JavaModuleOptions} list). It adds them to the executors it launches, but the driver
 *       is the JVM the user started, so {@link #checkDriverJvm} stops with the list to add.
 * </ul>
 *
 * <p>Everything binds to {@link #LOOPBACK} unless the caller names another address: the samples run
 * on one machine, and nothing here should listen on a public interface by accident. On a real
 * cluster pass its addresses instead (and {@code SPARK_LOCAL_IP} on each machine).
 */
public final class SparkSetup {
  /** The address the driver binds to and advertises unless told otherwise. */
  public static final String LOOPBACK = "127.0.0.1";

  /**
   * How long the driver waits for all executors to register: executor JVMs load Spark's 230 MB
   * class path, which takes tens of seconds on a busy two-core machine.
   */
  public static final String EXECUTOR_WAIT = "180s";

  /**
   * Stage attempts before Spark gives up on the job: each lost replica costs one, and a resumed
   * attempt starts from the latest checkpoint, so four (Spark's default) survives three failures.
   */
  public static final int STAGE_ATTEMPTS = 4;

  private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(?:,\\s*\\d+)?]");
  private static final Pattern LOCAL_CLUSTER =
      Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*]");

  private SparkSetup() {}

  /**
   * The configuration for {@code replicas} replicas on {@code master}.
   *
   * @param master {@code local[N]} (tasks are threads of this JVM), {@code local-cluster[W,C,M]} (W
   *     executor JVMs of C cores and M MB on this machine), or a cluster's master URL
   * @param appJars the jars executors need (this samples jar, sonnet-api, sonnet-runtime-cpu);
   *     unused, and may be empty, in {@code local[N]}, where tasks share the driver's class path
   * @param executorThreads the CPU backend's threads in each executor JVM
   * @throws IllegalArgumentException if the master cannot run {@code replicas} tasks at once, or a
   *     cluster master gets no jars
   */
  public static SparkConf conf(
      String master, int replicas, List<Path> appJars, int executorThreads) {
    if (replicas < 1) {
      throw new IllegalArgumentException(
          "A training job needs at least 1 replica, got " + replicas);
    }
    int slots = slots(master);
    if (slots >= 0 && slots < replicas) {
      throw new IllegalArgumentException(
          "Master "
              + master
              + " runs "
              + slots
              + " tasks at once, but a barrier stage of "
              + replicas
              + " replicas starts them all together; use local["
              + replicas
              + "] or local-cluster["
              + replicas
              + ",1,1024], or fewer replicas");
    }
    SparkConf conf =
        new SparkConf()
            .setMaster(master)
            .setAppName("sonnet-distributed-training")
            .set("spark.driver.host", LOOPBACK)
            .set("spark.driver.bindAddress", LOOPBACK)
            .set("spark.ui.enabled", "false")
            .set("spark.stage.maxConsecutiveAttempts", Integer.toString(STAGE_ATTEMPTS))
            // The tasks use the CPU backend with a fixed thread count: results never depend on
            // the thread count, but the speed does, and an executor should use only its cores.
            .set(
                "spark.executor.extraJavaOptions",
                "-Dsonnet.backend=cpu -Dsonnet.cpu.threads=" + executorThreads)
            .set("spark.cores.max", Integer.toString(replicas))
            .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
            .set("spark.scheduler.maxRegisteredResourcesWaitingTime", EXECUTOR_WAIT);
    if (!master.startsWith("local[")) {
      if (appJars.isEmpty()) {
        throw new IllegalArgumentException(
            "Master "
                + master
                + " launches executor JVMs, which need the application's jars (samples,"
                + " sonnet-api, sonnet-runtime-cpu) in spark.jars; got none");
      }
      for (Path jar : appJars) {
        if (!Files.isRegularFile(jar)) {
          throw new IllegalArgumentException("Application jar " + jar + " does not exist");
        }
      }
      conf.set(
          "spark.jars",
          appJars.stream()
              .map(p -> p.toAbsolutePath().toString())
              .collect(Collectors.joining(",")));
    }
    return conf;
  }

  /**
   * Task slots of a local master, or -1 when the master is a cluster whose size only it knows.
   *
   * @throws IllegalArgumentException for a malformed {@code local...} master
   */
  static int slots(String master) {
    Matcher m = LOCAL.matcher(master);
    if (m.matches()) {
      return m.group(1).equals("*")
          ? Runtime.getRuntime().availableProcessors()
          : Integer.parseInt(m.group(1));
    }
    m = LOCAL_CLUSTER.matcher(master);
    if (m.matches()) {
      return Integer.parseInt(m.group(1)) * Integer.parseInt(m.group(2));
    }
    if (master.equals("local")) {
      return 1;
    }
    if (master.startsWith("local")) {
      throw new IllegalArgumentException(
          "Unknown local master \"" + master + "\"; use local[N] or local-cluster[W,C,M]");
    }
    return -1;
  }

  /**
   * Checks that this JVM can be a Spark driver: started with Spark's module options (the {@code
   * --add-opens} list of {@code JavaModuleOptions}) and with {@code jdk.incubator.vector}, which
   * the CPU backend needs. Uses the module API, no reflection.
   *
   * @throws IllegalStateException naming the missing options and the full list to pass
   */
  public static void checkDriverJvm() {
    Module unnamed = SparkSetup.class.getModule();
    StringBuilder missing = new StringBuilder();
    for (String option : JavaModuleOptions.defaultModuleOptionArray()) {
      if (!option.startsWith("--add-opens=")) {
        continue;
      }
      String[] moduleAndPackage = option.substring("--add-opens=".length()).split("[/=]");
      Module module = ModuleLayer.boot().findModule(moduleAndPackage[0]).orElse(null);
      if (module != null
          && module.getPackages().contains(moduleAndPackage[1])
          && !module.isOpen(moduleAndPackage[1], unnamed)) {
        missing.append(' ').append(option);
      }
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      missing.append(" --add-modules=jdk.incubator.vector");
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "This JVM cannot run a Spark driver on JDK "
              + Runtime.version().feature()
              + ": it lacks"
              + missing
              + ". Start it with Spark's module options: "
              + JavaModuleOptions.defaultModuleOptions());
    }
  }

  /**
   * Checks what {@code local-cluster} needs from the environment before Spark tries to launch
   * executors: {@code SPARK_HOME} with a {@code jars/} folder holding Spark's class path, and
   * {@code SPARK_SCALA_VERSION=2.13} (there is no Spark distribution to infer it from), and {@code
   * SPARK_LOCAL_IP}, the address workers and executors bind to.
   *
   * @throws IllegalStateException naming what is missing and how to provide it
   */
  public static void checkLocalClusterEnvironment(Map<String, String> env) {
    String home = env.get("SPARK_HOME");
    if (home == null || home.isBlank() || !Files.isDirectory(Path.of(home, "jars"))) {
      throw new IllegalStateException(
          "local-cluster launches executor JVMs with the class path in $SPARK_HOME/jars, but"
              + " SPARK_HOME is "
              + (home == null ? "unset" : "\"" + home + "\" without a jars/ folder")
              + "; samples/spark/run-local-cluster.sh builds one from the Maven class path");
    }
    if (!"2.13".equals(env.get("SPARK_SCALA_VERSION"))) {
      throw new IllegalStateException(
          "local-cluster needs SPARK_SCALA_VERSION=2.13 (spark-core_2.13), got "
              + env.get("SPARK_SCALA_VERSION"));
    }
    String ip = env.get("SPARK_LOCAL_IP");
    if (ip == null || ip.isBlank()) {
      throw new IllegalStateException(
          "local-cluster needs SPARK_LOCAL_IP (127.0.0.1 here): without it Spark's workers and"
              + " executors bind to the machine's first non-loopback address");
    }
  }
}
