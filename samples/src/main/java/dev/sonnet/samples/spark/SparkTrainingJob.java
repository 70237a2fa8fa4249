package dev.sonnet.samples.spark;

import dev.sonnet.nets.Cifar10ConvNet;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Sonnet's distributed CIFAR-10 example on Apache Spark: {@code --replicas} replicas of {@link
 * Cifar10ConvNet} (a small one by default, Sonnet's with {@code --full-net true}), one per task of
 * a barrier stage, train on Fashion-MNIST with momentum SGD, all-reducing their gradients over a
 * TCP ring; replica 0 checkpoints every {@code --save-every} steps, and a stage attempt that Spark
 * retries after losing a replica resumes from the latest checkpoint.
 *
 * <pre>
 * java $SPARK_DRIVER_OPTIONS -cp ... dev.sonnet.samples.spark.SparkTrainingJob \
 *     --master local[2] --steps 40 --run-dir /tmp/sonnet-spark
 * </pre>
 *
 * <p>The run directory holds the checkpoints; run the same command again after an interruption and
 * the job continues from the latest one. The last lines are {@code final_loss=...} and {@code
 * weights_sha256=...} (of the trainable variables, identical on every replica).
 */
public final class SparkTrainingJob {
  static final String USAGE =
      """
      Usage: SparkTrainingJob [options]
        --master M            local[2] (default; tasks are threads of this JVM),
                              local-cluster[2,1,1024] (executor JVMs; needs SPARK_HOME etc., see
                              samples/spark/run-local-cluster.sh) or a cluster's master URL
        --replicas N          replicas, one barrier task each (default 2)
        --run-dir DIR         checkpoints and progress files; must be shared by all executors
                              (default /tmp/sonnet-spark-run); an existing run there is resumed
        --steps N             global steps (default 40)
        --batch N             examples per replica per step (default 32)
        --save-every N        replica 0 saves a checkpoint every N steps (default 10)
        --channels a,b,...    the network's conv channels (default 16,32,32, the in-process
                              example's small network)
        --strides a,b,...     their strides (default 1,2,2)
        --full-net true       Sonnet's network: channels 64,64,128,...,512, strides
                              1,1,2,1,1,2,1,1,2,1,1 (give the driver a 4 GB heap in local[2])
        --learning-rate X     momentum SGD's rate (default 0.1, Sonnet's notebook)
        --momentum X          (default 0.9)
        --seed N              order of the examples (default 42)
        --train-limit N       use the first N training images (default all)
        --eval-limit N        test images replica 0 evaluates at the end (default 1000)
        --data DIR            Fashion-MNIST files readable on every executor, or "embedded" for
                              the subset in the jar (default: Debian's dataset-fashion-mnist,
                              else that subset)
        --jars a.jar,b.jar    the jars executors load (cluster masters): samples, api, runtime-cpu
        --kill-replica R      kill replica R's executor JVM (SIGKILL) once it has completed
        --kill-after-step K   step K in the first stage attempt (local-cluster only)
        --fail-replica R      make replica R throw at step K of the first attempt (any master)
        --fail-at-step K
      """;

  /**
   * The default network's channels: the in-process example's small {@code Cifar10ConvNet}, which
   * trains in seconds per step on two cores; {@code --full-net} is Sonnet's.
   */
  static final List<Integer> SMALL_CHANNELS = List.of(16, 32, 32);

  /** The default network's strides. */
  static final List<Integer> SMALL_STRIDES = List.of(1, 2, 2);

  private SparkTrainingJob() {}

  /** Parsed command line. */
  record Options(
      String master,
      int replicas,
      List<Path> jars,
      TrainingSettings settings,
      int killReplica,
      long killAfterStep) {}

  /** What the driver got back. */
  public record Result(List<SparkReplica.Report> reports, String killer) {
    /** Replica 0's report. */
    public SparkReplica.Report first() {
      return reports.get(0);
    }
  }

  public static void main(String[] args) {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (o == null) {
      System.out.println(USAGE);
      return;
    }
    try {
      checkSetup(o);
    } catch (IllegalStateException | IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Result r = run(o, System.out);
    print(r, System.out);
  }

  /**
   * Checks the driver JVM, the environment and the options against the master before Spark starts.
   */
  static void checkSetup(Options o) {
    SparkSetup.checkDriverJvm();
    if (o.master().startsWith("local-cluster")) {
      SparkSetup.checkLocalClusterEnvironment(System.getenv());
    }
    if (o.killReplica() >= 0 && o.master().startsWith("local[")) {
      throw new IllegalArgumentException(
          "--kill-replica kills an executor JVM, but in "
              + o.master()
              + " the replicas are threads"
              + " of this JVM; use local-cluster[...] or --fail-replica");
    }
  }

  /** Starts a Spark context for {@code o}, trains, stops the context. */
  static Result run(Options o, PrintStream log) {
    checkSetup(o);
    SparkConf conf = SparkSetup.conf(o.master(), o.replicas(), o.jars(), 1);
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      return train(sc, o.replicas(), o.settings(), o.killReplica(), o.killAfterStep(), log);
    }
  }

  /**
   * Trains on an existing context: one barrier stage of {@code replicas} tasks. With {@code
   * killReplica >= 0}, an {@link ExecutorKiller} kills that replica's executor after its step
   * {@code killAfterStep} in the first attempt.
   */
  public static Result train(
      JavaSparkContext sc,
      int replicas,
      TrainingSettings settings,
      int killReplica,
      long killAfterStep,
      PrintStream log) {
    log.println("Training " + settings.describe(replicas) + " on " + sc.master());
    log.println("Run directory " + settings.runDir());
    ExecutorKiller killer = null;
    Thread killerThread = null;
    if (killReplica >= 0) {
      killer = new ExecutorKiller(settings, killReplica, killAfterStep, log);
      killerThread = killer.start();
    }
    long t0 = System.nanoTime();
    List<SparkReplica.Report> reports;
    try {
      reports = BarrierStage.run(sc, replicas, new SparkReplica(settings));
    } finally {
      if (killerThread != null) {
        killerThread.interrupt(); // stops it polling when the replica never reached the step
      }
    }
    log.printf(Locale.ROOT, "Barrier stage done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    return new Result(reports, killer == null ? "no kill requested" : killer.outcome());
  }

  static void print(Result r, PrintStream out) {
    out.println(
        "| replica | stage attempt | resumed after step | last step | seconds | ring address | pid |");
    out.println(
        "|---------|---------------|--------------------|-----------|---------|--------------|-----|");
    for (SparkReplica.Report rep : r.reports()) {
      ReplicaTraining.Outcome o = rep.outcome();
      out.printf(
          Locale.ROOT,
          "| %7d | %13d | %18d | %9d | %7.1f | %12s | %d |%n",
          o.rank(),
          rep.stageAttempt(),
          o.resumedFrom(),
          o.lastStep(),
          o.seconds(),
          rep.ringAddress(),
          rep.pid());
    }
    out.println("killer: " + r.killer());
    ReplicaTraining.Outcome first = r.first().outcome();
    for (SparkReplica.Report rep : r.reports()) {
      if (!rep.outcome().weightsDigest().equals(first.weightsDigest())) {
        throw new IllegalStateException(
            "Replica "
                + rep.outcome().rank()
                + " ended with other weights than replica 0: "
                + rep.outcome().weightsDigest()
                + " vs "
                + first.weightsDigest());
      }
    }
    if (!Double.isNaN(first.testAccuracy())) {
      out.printf(Locale.ROOT, "test_accuracy=%.4f%n", first.testAccuracy());
    }
    out.printf(Locale.ROOT, "final_loss=%.6f%n", first.loss());
    out.println("weights_sha256=" + first.weightsDigest());
  }

  /** Parses the command line; null for {@code --help}. */
  static Options parse(String[] args) {
    Map<String, String> v = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return null;
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("Expected --option value, got \"" + a + "\"");
      }
      if (!USAGE.contains("  " + a + " ")) {
        throw new IllegalArgumentException("Unknown option " + a);
      }
      v.put(a.substring(2), args[++i]);
    }
    String full = v.getOrDefault("full-net", "false");
    if (!full.equals("true") && !full.equals("false")) {
      throw new IllegalArgumentException("--full-net takes true or false, got \"" + full + "\"");
    }
    boolean fullNet = full.equals("true");
    if (fullNet && (v.containsKey("channels") || v.containsKey("strides"))) {
      throw new IllegalArgumentException(
          "--full-net sets --channels and --strides: give one or the other");
    }
    int[] channels =
        fullNet
            ? ints(null, Cifar10ConvNet.DEFAULT_OUTPUT_CHANNELS, "channels")
            : ints(v.get("channels"), SMALL_CHANNELS, "channels");
    int[] strides =
        fullNet
            ? ints(null, Cifar10ConvNet.DEFAULT_STRIDES, "strides")
            : ints(v.get("strides"), SMALL_STRIDES, "strides");
    TrainingSettings settings =
        new TrainingSettings(
            integer(v, "steps", 40),
            integer(v, "batch", 32),
            integer(v, "save-every", 10),
            integer(v, "seed", 42),
            dbl(v, "learning-rate", TrainingSettings.DEFAULT_LEARNING_RATE),
            dbl(v, "momentum", TrainingSettings.DEFAULT_MOMENTUM),
            channels,
            strides,
            integer(v, "train-limit", 0),
            integer(v, "eval-limit", 1000),
            v.get("data"),
            Path.of(v.getOrDefault("run-dir", "/tmp/sonnet-spark-run")).toAbsolutePath().toString(),
            integer(v, "fail-replica", -1),
            integer(v, "fail-at-step", 0));
    List<Path> jars = new ArrayList<>();
    if (v.containsKey("jars")) {
      for (String j : v.get("jars").split(",")) {
        jars.add(Path.of(j.trim()));
      }
    }
    int killReplica = integer(v, "kill-replica", -1);
    if ((killReplica >= 0) != v.containsKey("kill-after-step")) {
      throw new IllegalArgumentException("--kill-replica and --kill-after-step go together");
    }
    return new Options(
        v.getOrDefault("master", "local[2]"),
        integer(v, "replicas", 2),
        jars,
        settings,
        killReplica,
        integer(v, "kill-after-step", 0));
  }

  private static int integer(Map<String, String> v, String key, int dflt) {
    String s = v.get(key);
    if (s == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " takes an integer, got \"" + s + "\"");
    }
  }

  private static double dbl(Map<String, String> v, String key, double dflt) {
    String s = v.get(key);
    if (s == null) {
      return dflt;
    }
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " takes a number, got \"" + s + "\"");
    }
  }

  private static int[] ints(String s, List<Integer> dflt, String key) {
    if (s == null) {
      return dflt.stream().mapToInt(Integer::intValue).toArray();
    }
    try {
      return Arrays.stream(s.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--" + key + " takes comma-separated integers, got \"" + s + "\"");
    }
  }
}
