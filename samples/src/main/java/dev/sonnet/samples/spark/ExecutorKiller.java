package dev.sonnet.samples.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kills the executor JVM of one replica in the middle of training: how the local-cluster run shows
 * that a lost machine costs only the steps since the last checkpoint.
 *
 * <p>Runs on the driver, in a daemon thread, while the barrier stage trains. It watches the
 * progress file of the replica ({@link SparkReplica#progressFile}) and, once that replica has
 * completed step {@code afterStep} in the first stage attempt, sends its process {@code SIGKILL}
 * ({@link ProcessHandle#destroyForcibly}): no shutdown hook, no goodbye to the driver, as when a
 * machine dies. With {@code afterStep = k * saveEvery + 1}, checkpoint {@code k * saveEvery} is
 * saved by then (replica 0 saves it before it joins the all-reduce of the next step, which every
 * replica needs to complete that step). It kills once; the retried attempt is left alone.
 */
final class ExecutorKiller implements Runnable {
  private static final long POLL_MILLIS = 10;

  private final TrainingSettings settings;
  private final int replica;
  private final long afterStep;
  private final PrintStream log;
  private volatile String outcome = "not killed";

  ExecutorKiller(TrainingSettings settings, int replica, long afterStep, PrintStream log) {
    this.settings = settings;
    this.replica = replica;
    this.afterStep = afterStep;
    this.log = log;
  }

  /** Starts the killer on a daemon thread. */
  Thread start() {
    Thread t = new Thread(this, "executor-killer");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** What happened: the process killed and when, or why not. */
  String outcome() {
    return outcome;
  }

  @Override
  public void run() {
    try {
      while (true) {
        long[] progress = readProgress(); // pid, stage attempt, completed step
        if (progress != null && progress[1] == 0 && progress[2] >= afterStep) {
          long pid = progress[0];
          if (pid == ProcessHandle.current().pid()) {
            outcome = "not killed: replica " + replica + " runs in the driver (local[N])";
          } else {
            boolean sent = ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false);
            outcome =
                (sent ? "killed" : "could not kill")
                    + " the executor (pid "
                    + pid
                    + ") of replica "
                    + replica
                    + " after its step "
                    + progress[2];
          }
          log.println("executor killer: " + outcome);
          return;
        }
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long[] readProgress() {
    Path file = SparkReplica.progressFile(settings, replica);
    try {
      String[] f = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
      return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    } catch (IOException | RuntimeException e) {
      return null; // not written yet
    }
  }
}
