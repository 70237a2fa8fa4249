package dev.sonnet.distribute;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The TCP ring across real processes: {@link RingWorker} JVMs on loopback, launched with this JVM's
 * class path, exchanging ephemeral ports through the parent.
 */
class RingProcessTest {
  /** A generous bound for a JVM to start, join and finish on a loaded 2-core machine. */
  private static final long PROCESS_SECONDS = 60;

  private record Outcome(List<String> lines, long millis) {}

  private static List<Outcome> runRing(int world, int length, long timeoutMillis, String[] modes)
      throws Exception {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<Process> processes = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    try {
      for (int r = 0; r < world; r++) {
        Process p =
            new ProcessBuilder(
                    java,
                    "-Xmx64m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    RingWorker.class.getName(),
                    Integer.toString(r),
                    Integer.toString(world),
                    Integer.toString(length),
                    Long.toString(timeoutMillis),
                    modes[r])
                .redirectErrorStream(true)
                .start();
        processes.add(p);
        outputs.add(
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      List<String> ports = new ArrayList<>();
      for (BufferedReader out : outputs) {
        String line = out.readLine();
        assertThat(line).as("worker's first line").startsWith("ADDR ");
        ports.add(line.substring(5).trim());
      }
      long start = System.nanoTime();
      for (Process p : processes) {
        Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        in.write("PEERS " + String.join(",", ports) + "\n");
        in.flush();
      }
      List<Outcome> outcomes = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = outputs.get(r).readLine()) != null) {
          lines.add(line);
        }
        assertThat(processes.get(r).waitFor(PROCESS_SECONDS, TimeUnit.SECONDS)).isTrue();
        outcomes.add(new Outcome(lines, (System.nanoTime() - start) / 1_000_000));
      }
      return outcomes;
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void threeProcesses_allReduceBitForBitAsTheReference() throws Exception {
    List<Outcome> outcomes = runRing(3, 100_003, 20_000, new String[] {"ok", "ok", "ok"});
    for (Outcome o : outcomes) {
      assertThat(o.lines()).as("worker output").contains("OK");
    }
  }

  @Test
  void twoProcesses_allReduceBitForBitAsTheReference() throws Exception {
    List<Outcome> outcomes = runRing(2, 4_097, 20_000, new String[] {"ok", "ok"});
    for (Outcome o : outcomes) {
      assertThat(o.lines()).as("worker output").contains("OK");
    }
  }

  @Test
  void peerKilledMidAllReduce_othersFailNamingItLongBeforeTheTimeout() throws Exception {
    // Rank 2 dies right after the first reduce-scatter step, as a killed process would: the OS
    // closes its sockets. The timeout is long (20 s), so an error within a few seconds shows that
    // death is noticed from the closed connection, not by waiting.
    long timeoutMillis = 20_000;
    List<Outcome> outcomes =
        runRing(3, 300_007, timeoutMillis, new String[] {"ok", "ok", "die-at-step-0"});
    for (int r = 0; r < 2; r++) {
      Outcome o = outcomes.get(r);
      String err = o.lines().stream().filter(l -> l.startsWith("ERR ")).findFirst().orElse("");
      assertThat(err).as("rank %d output %s", r, o.lines()).contains("rank 2 at 127.0.0.1");
      assertThat(o.millis()).as("rank %d reported after", r).isLessThan(timeoutMillis / 2);
    }
    assertThat(outcomes.get(2).lines()).doesNotContain("OK");
  }
}
