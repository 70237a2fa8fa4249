package dev.sonnet.distribute;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One rank of a ring in its own JVM, for {@link RingProcessTest}: binds a loopback port and prints
 * {@code ADDR <port>}, reads {@code PEERS <port>,<port>,...} from stdin, joins, all-reduces {@link
 * RingReference#data} and prints {@code OK} when the result equals the reference bit for bit, else
 * {@code BAD} or {@code ERR <message>}. Mode {@code die-at-step-<s>} halts the JVM (no cleanup,
 * like a killed process) right after ring step {@code s}.
 *
 * <p>Arguments: {@code rank world length timeoutMillis mode}.
 */
public final class RingWorker {
  private RingWorker() {}

  public static void main(String[] args) throws Exception {
    int rank = Integer.parseInt(args[0]);
    int world = Integer.parseInt(args[1]);
    int length = Integer.parseInt(args[2]);
    Duration timeout = Duration.ofMillis(Long.parseLong(args[3]));
    String mode = args[4];
    RingCollectives.Endpoint endpoint =
        RingCollectives.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    System.out.println("ADDR " + endpoint.address().getPort());
    System.out.flush();
    BufferedReader stdin =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = stdin.readLine();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (String port : line.substring("PEERS ".length()).split(",")) {
      peers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(port)));
    }
    try (RingCollectives ring = endpoint.join(rank, peers, timeout)) {
      if (mode.startsWith("die-at-step-")) {
        int dieAt = Integer.parseInt(mode.substring("die-at-step-".length()));
        ring.onStep(
            step -> {
              if (step == dieAt) {
                Runtime.getRuntime().halt(3);
              }
            });
      }
      float[] data = RingReference.data(rank, length);
      ring.allReduceArrays(ReduceOp.SUM, data, new double[0], "f32[" + length + "]");
      boolean same = Arrays.equals(data, RingReference.expected(world, length, false));
      System.out.println(same ? "OK" : "BAD");
    } catch (CollectiveException e) {
      System.out.println("ERR " + e.getMessage().replace('\n', ' '));
    }
    System.out.flush();
  }
}
