package dev.sonnet.samples.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Warm-up of a fresh JVM: the wall time and the process CPU time of each of the first steps of the
 * main job's training step ({@link TrainSteps#mlp} 784-1024-1024-10 at batch 100, fusion as
 * configured: on by default), one line per step, then the median of the last {@value #TAIL} steps
 * as the steady step. JMH measures the steady state only; this measures the way there, which is
 * what a newcomer's first run of the main job sees.
 *
 * <p>Run it in a fresh JVM per sample (the first steps happen once per JVM), several times, and
 * take medians per step: {@code samples/bench/warmup.py} does that. Arguments: {@code [steps]}
 * (default 60) and {@code [pauseMillis]} (default 0): a pause between building the model (which
 * creates the backend) and the first step, standing in for the main job's data loading and
 * printing.
 *
 * <p>Output, one line per step: {@code step <i> <wall ms> <cpu ms> <bytes>}; CPU is the whole
 * process's (all threads: the step's pool threads, the JIT compilers, the collector, any warm-up
 * thread), so {@code cpu > wall} means other threads worked alongside the step; bytes are what the
 * calling thread allocated during the step (a kernel still running uncompiled Vector API code
 * allocates its vectors: megabytes instead of tens of kilobytes).
 */
public final class WarmupProbe {
  /** Steps at the end whose median is reported as the steady step. */
  static final int TAIL = 20;

  /** The name of the CPU backend's warm-up thread ({@code sonnet.cpu.warmup}). */
  private static final String WARMUP_THREAD = "sonnet-cpu-warmup";

  private WarmupProbe() {}

  /**
   * Waits for the CPU backend's warm-up thread, if one runs, and prints how long it took from the
   * model's creation and the CPU the process spent meanwhile.
   */
  private static void awaitWarmup(com.sun.management.OperatingSystemMXBean os, long t0)
      throws InterruptedException {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(WARMUP_THREAD)) {
        long c = os.getProcessCpuTime();
        t.join();
        System.out.printf(
            Locale.ROOT,
            "warm-up done %.1f ms after setup began (%.1f ms cpu while waiting)%n",
            (System.nanoTime() - t0) / 1e6,
            (os.getProcessCpuTime() - c) / 1e6);
      }
    }
  }

  public static void main(String[] args) throws InterruptedException {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    long pauseMillis = args.length > 1 ? Long.parseLong(args[1]) : 0;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long uptimeAtMain = ManagementFactory.getRuntimeMXBean().getUptime();
    long cpuAtMain = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    TrainSteps job = TrainSteps.mlp(100, 784, 1024, 1024, 10);
    long setup = System.nanoTime() - t0;
    System.out.printf(
        Locale.ROOT,
        "jvm %d ms to main (%.1f ms cpu), setup %.2f ms%n",
        uptimeAtMain,
        cpuAtMain / 1e6,
        setup / 1e6);
    if (pauseMillis > 0) {
      Thread.sleep(pauseMillis);
    } else if (pauseMillis < 0) {
      awaitWarmup(os, t0);
    }
    double[] wall = new double[steps];
    float sink = 0;
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < steps; i++) {
      long c = os.getProcessCpuTime();
      long a = threads.getCurrentThreadAllocatedBytes();
      long t = System.nanoTime();
      sink += job.step();
      wall[i] = (System.nanoTime() - t) / 1e6;
      double cpu = (os.getProcessCpuTime() - c) / 1e6;
      long allocated = threads.getCurrentThreadAllocatedBytes() - a;
      System.out.printf(Locale.ROOT, "step %d %.3f %.3f %d%n", i + 1, wall[i], cpu, allocated);
    }
    int tail = Math.min(TAIL, steps);
    double[] last = Arrays.copyOfRange(wall, steps - tail, steps);
    Arrays.sort(last);
    System.out.printf(
        Locale.ROOT,
        "steady %.3f ms (median of the last %d steps); total cpu %.1f ms; loss sum %.4f%n",
        last[tail / 2],
        tail,
        (os.getProcessCpuTime() - cpuAtMain) / 1e6,
        sink);
  }
}
