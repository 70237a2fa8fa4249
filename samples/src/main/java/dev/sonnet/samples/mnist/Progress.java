package dev.sonnet.samples.mnist;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One epoch's progress line. On a terminal it redraws a bar in place with {@code \r}, a few times a
 * second; elsewhere (a log file, a CI console) it prints a plain line at each quarter of the epoch,
 * so logs stay readable. The final line of an epoch is printed either way.
 */
final class Progress {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 250_000_000L;

  private final PrintStream out;
  private final boolean terminal;
  private final String label;
  private final int total;
  private final long start = System.nanoTime();
  private long lastDraw;
  private int lastQuarter;

  Progress(PrintStream out, boolean terminal, String label, int totalSteps) {
    this.out = out;
    this.terminal = terminal;
    this.label = label;
    this.total = totalSteps;
  }

  /** Reports that {@code step} of the steps are done, {@code examples} examples seen. */
  void update(int step, long examples, LossSource loss) {
    long now = System.nanoTime();
    if (terminal) {
      if (now - lastDraw >= REDRAW_NANOS || step == total) {
        lastDraw = now;
        out.print("\r" + line(step, examples, loss.get(), now));
        out.flush();
      }
    } else {
      int quarter = total == 0 ? 4 : (int) (4L * step / total);
      if (quarter > lastQuarter && step < total) {
        lastQuarter = quarter;
        out.println(line(step, examples, loss.get(), now));
      }
    }
  }

  /** Ends the epoch's output with its summary line. */
  void finish(long examples, double loss) {
    String line = line(total, examples, loss, System.nanoTime());
    out.println(terminal ? "\r" + line : line);
  }

  private String line(int step, long examples, double loss, long now) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * step / total);
    return String.format(
        Locale.ROOT,
        "%s [%s%s] %d/%d  loss %.4f  %.0f examples/s  %.1fs",
        label,
        "=".repeat(filled),
        " ".repeat(WIDTH - filled),
        step,
        total,
        loss,
        examples / seconds,
        seconds);
  }

  /** The running loss, read only when a line is drawn (reading it waits for the device). */
  @FunctionalInterface
  interface LossSource {
    double get();
  }
}
