package dev.sonnet.samples.mnist;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One epoch's progress bar, drawn by {@code me.tongfei:progressbar}: on a terminal it redraws in
 * place; elsewhere (a log file, CI, a test) it prints a plain line every {@value #LOG_INTERVAL_MS}
 * ms, and the final state when the epoch ends, so logs stay short. Counts images, shows their rate
 * and the running loss, which the job passes in from time to time (reading it waits for the device,
 * so not every step).
 */
final class TrainingProgress implements AutoCloseable {
  /** How often a log (not a terminal) gets a line: a few per epoch on a typical machine. */
  static final int LOG_INTERVAL_MS = 5000;

  /** How often a terminal is redrawn. */
  static final int TERMINAL_INTERVAL_MS = 250;

  private final ProgressBar bar;
  private volatile boolean started;
  private String lastLine = "";

  TrainingProgress(PrintStream out, boolean terminal, String label, long images) {
    this.bar =
        new ProgressBarBuilder()
            .setTaskName(label)
            .setInitialMax(images)
            .setStyle(ProgressBarStyle.ASCII)
            .setUnit(" img", 1)
            .showSpeed()
            .setUpdateIntervalMillis(terminal ? TERMINAL_INTERVAL_MS : LOG_INTERVAL_MS)
            .setConsumer(
                terminal
                    ? new ConsoleProgressBarConsumer(out)
                    : new DelegatingProgressBarConsumer(line -> logLine(out, line), 120))
            .build();
  }

  /**
   * In a log, a line only when it says something new: not the empty bar before the first step, and
   * not the final state twice (closing the bar redraws it).
   */
  private synchronized void logLine(PrintStream out, String line) {
    if (started && !line.equals(lastLine)) {
      lastLine = line;
      out.println(line);
    }
  }

  /** {@code images} more images were trained on. */
  void step(long images) {
    started = true;
    bar.stepBy(images);
  }

  /** Shows the running loss next to the bar. */
  void loss(double value) {
    bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", value));
  }

  /** Draws the final state and stops the bar's refresh thread. */
  @Override
  public void close() {
    bar.close();
  }
}
