package dev.sonnet.samples.spark;

import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.CheckpointManager;
import dev.sonnet.data.Datasets;
import dev.sonnet.data.FashionMnist;
import dev.sonnet.distribute.RingCollectives;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.BarrierTaskContext;

/**
 * What each task of the barrier stage runs: the rendezvous, the TCP ring, and the replica's
 * training loop.
 *
 * <ol>
 *   <li>Opens the ring's listening socket on the executor's host (the address Spark itself reaches
 *       the executor at: loopback when {@code SPARK_LOCAL_IP=127.0.0.1}), port 0.
 *   <li>Rank 0 looks up the latest checkpoint; every task publishes its address (and rank 0 that
 *       step) through {@code allGather}; {@link RingRendezvous} turns the messages into the same
 *       ring on every replica, ranks being partition ids.
 *   <li>Joins the {@link RingCollectives} ring and runs {@link ReplicaTraining}: from scratch, or
 *       restoring the agreed checkpoint when this is a retried stage attempt.
 * </ol>
 *
 * <p>When a replica dies (its executor JVM is killed, or it throws), its peers' ring calls fail at
 * once (a closed connection) or within the ring's timeout, Spark fails the stage attempt and runs
 * it again, and the new attempt resumes from replica 0's latest checkpoint. Before each step every
 * task also writes its process id, stage attempt and last completed step to {@code
 * runDir/replicas/rank-R.progress}, so a driver-side test can kill the executor of a chosen replica
 * at a chosen point ({@link ExecutorKiller}).
 *
 * <p>Only replica 0 writes checkpoints, and only after a step that every replica completed: even a
 * replica 0 of a failed attempt that is still running can save only such a step, whose values a
 * resumed attempt computes bit for bit too. The run directory must be one every executor reads and
 * writes (a shared file system on a real cluster).
 */
public record SparkReplica(TrainingSettings settings)
    implements BarrierStage.ReplicaTask<SparkReplica.Report> {
  private static final long serialVersionUID = 1L;

  /**
   * How long a replica waits for a ring peer: past any normal step imbalance, short enough that a
   * silently lost peer fails the stage attempt well within a minute.
   */
  static final Duration RING_TIMEOUT = Duration.ofSeconds(30);

  /** The {@code dataDir} that selects the subset of Fashion-MNIST embedded in the samples jar. */
  public static final String EMBEDDED_DATA = "embedded";

  /** What one task reports to the driver. */
  public record Report(
      ReplicaTraining.Outcome outcome, int stageAttempt, String ringAddress, long pid)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  @Override
  public Report run(BarrierTaskContext context) {
    int rank = context.partitionId();
    int replicas = context.numPartitions();
    int attempt = context.stageAttemptNumber();
    PrintStream log = System.out;
    writeProgress(rank, attempt, 0);
    String host = hostOf(context.getTaskInfos()[rank].address());
    FashionMnist data = loadData(settings, log);
    OptionalLong latest = rank == 0 ? latestCheckpoint(settings) : OptionalLong.empty();

    try (RingCollectives.Endpoint endpoint = RingCollectives.bind(new InetSocketAddress(host, 0))) {
      int port = endpoint.address().getPort();
      String[] gathered = context.allGather(RingRendezvous.message(rank, host, port, latest));
      RingRendezvous.Membership ring = RingRendezvous.membership(gathered, rank, replicas);
      List<InetSocketAddress> peers =
          ring.peers().stream()
              .map(a -> new InetSocketAddress(a.getHostString(), a.getPort()))
              .toList();
      try (RingCollectives group = endpoint.join(rank, peers, RING_TIMEOUT)) {
        ReplicaTraining.Outcome outcome =
            ReplicaTraining.run(
                settings,
                group,
                ring.resumeStep(),
                LabeledImages.of(data.train()),
                LabeledImages.of(data.test()),
                (r, step) -> {
                  writeProgress(r, attempt, step - 1);
                  if (attempt == 0
                      && r == settings.failReplica()
                      && step == settings.failAtStep()) {
                    throw new IllegalStateException(
                        "Replica " + r + " fails at step " + step + " (--fail-replica, attempt 0)");
                  }
                },
                log);
        return new Report(outcome, attempt, host + ":" + port, ProcessHandle.current().pid());
      }
    }
  }

  /**
   * The data set of {@code s}: the subset embedded in the samples jar for {@value #EMBEDDED_DATA},
   * else what {@link FashionMnist#load} finds (never downloading: every executor must read the same
   * files).
   */
  static FashionMnist loadData(TrainingSettings s, PrintStream log) {
    if (EMBEDDED_DATA.equals(s.dataDir())) {
      return FashionMnist.embeddedSubset();
    }
    return Datasets.fashionMnist(
        FashionMnist.Options.defaults()
            .withDataDir(s.dataDir() == null ? null : Path.of(s.dataDir()))
            .withLog(log::println));
  }

  /** The step of the latest checkpoint of the run, if any. */
  static OptionalLong latestCheckpoint(TrainingSettings s) {
    return new CheckpointManager(ReplicaTraining.checkpointDir(s), Checkpoint.of())
        .latest()
        .map(e -> OptionalLong.of(e.step()))
        .orElse(OptionalLong.empty());
  }

  /** The host part of Spark's {@code host:port} executor address (IPv6 hosts in brackets). */
  static String hostOf(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = colon > 0 ? hostPort.substring(0, colon) : hostPort;
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return host;
  }

  /**
   * The file replica {@code rank} writes {@code "<pid> <stage attempt> <last completed step>"} to
   * before each step.
   */
  static Path progressFile(TrainingSettings s, int rank) {
    return Path.of(s.runDir(), "replicas", "rank-" + rank + ".progress");
  }

  private void writeProgress(int rank, int attempt, long completedStep) {
    Path file = progressFile(settings, rank);
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(
          tmp,
          ProcessHandle.current().pid() + " " + attempt + " " + completedStep + "\n",
          StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Replica " + rank + ": cannot write " + file + ": " + e, e);
    }
  }
}
