package dev.sonnet.distribute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TCP ring with its ranks as threads of this JVM, on loopback with ephemeral ports (one
 * multi-process run is {@link RingProcessTest}). Results are compared bit for bit with {@link
 * RingReference}, the ring's summation order written as plain loops.
 */
class RingCollectivesTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** Binds {@code world} endpoints, joins them concurrently, and runs {@code body} on each. */
  private <T> List<T> onRing(
      int world, Duration timeout, BiFunction<Integer, RingCollectives, T> body) throws Exception {
    List<RingCollectives.Endpoint> endpoints = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      endpoints.add(RingCollectives.bind(RingReference.loopback()));
    }
    var addresses = RingReference.addresses(endpoints);
    List<Future<T>> futures = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      int rank = r;
      futures.add(
          pool.submit(
              () -> {
                try (RingCollectives ring = endpoints.get(rank).join(rank, addresses, timeout)) {
                  return body.apply(rank, ring);
                }
              }));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> f : futures) {
      out.add(f.get(30, TimeUnit.SECONDS));
    }
    return out;
  }

  @Test
  void sumAndMean_matchTheRingOrderBitForBit_withTwoAndThreeRanks() throws Exception {
    for (int world : new int[] {2, 3}) {
      for (boolean mean : new boolean[] {false, true}) {
        // An odd length, so the chunks differ in size; 1 and 2 elements leave some chunks empty.
        for (int length : new int[] {1, 2, 10_007}) {
          List<float[]> results =
              onRing(
                  world,
                  Duration.ofSeconds(10),
                  (rank, ring) -> {
                    float[] a = RingReference.data(rank, length);
                    ring.allReduceArrays(
                        mean ? ReduceOp.MEAN : ReduceOp.SUM, a, new double[0], "sig");
                    return a;
                  });
          float[] expected = RingReference.expected(world, length, mean);
          for (float[] r : results) {
            assertThat(r)
                .as("world %d, mean %s, length %d", world, mean, length)
                .isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void parts_areReducedAsOneSequence_whateverWhereChunksCutThem() throws Exception {
    int[] cuts = {0, 5, 6, 400, 1001}; // parts of 5, 1, 394 and 601 elements
    List<float[]> results =
        onRing(
            3,
            Duration.ofSeconds(10),
            (rank, ring) -> {
              float[] all = RingReference.data(rank, 1001);
              float[][] parts = new float[cuts.length - 1][];
              for (int p = 0; p < parts.length; p++) {
                parts[p] = java.util.Arrays.copyOfRange(all, cuts[p], cuts[p + 1]);
              }
              ring.allReduceParts(ReduceOp.SUM, parts, new double[0][], "parts");
              float[] joined = new float[1001];
              for (int p = 0; p < parts.length; p++) {
                System.arraycopy(parts[p], 0, joined, cuts[p], parts[p].length);
              }
              return joined;
            });
    for (float[] r : results) {
      assertThat(r).isEqualTo(RingReference.expected(3, 1001, false));
    }
  }

  @Test
  void doublesAndRepeatedCalls_stayInStep() throws Exception {
    List<double[]> results =
        onRing(
            3,
            Duration.ofSeconds(10),
            (rank, ring) -> {
              double[] last = null;
              for (int call = 0; call < 3; call++) {
                double[] d = RingReference.doubles(rank, 1001);
                ring.allReduceArrays(ReduceOp.SUM, new float[0], d, "sig");
                last = d;
              }
              ring.barrier();
              return last;
            });
    for (double[] r : results) {
      assertThat(r).isEqualTo(RingReference.expectedDoubles(3, 1001));
    }
  }

  @Test
  void broadcast_givesEveryRankTheRootsValues() throws Exception {
    List<float[]> results =
        onRing(
            3,
            Duration.ofSeconds(10),
            (rank, ring) -> {
              float[] a = RingReference.data(rank, 333);
              ring.broadcastArrays(1, a, new double[0], "sig");
              return a;
            });
    for (float[] r : results) {
      assertThat(r).isEqualTo(RingReference.data(1, 333));
    }
  }

  @Test
  void ranksPassingDifferentTensors_failNamingTheMismatch() throws Exception {
    List<String> errors =
        onRing(
            2,
            Duration.ofSeconds(10),
            (rank, ring) -> {
              try {
                ring.allReduceArrays(
                    ReduceOp.SUM,
                    new float[rank == 0 ? 10 : 12],
                    new double[0],
                    "f32[" + rank + "]");
                return "no error";
              } catch (CollectiveException e) {
                return e.getMessage();
              }
            });
    assertThat(errors).allSatisfy(m -> assertThat(m).contains("out of step"));
    assertThat(errors.get(0)).contains("other shapes or dtypes");
  }

  @Test
  void silentPeer_failsNamingItWithinTheTimeout() throws Exception {
    Duration timeout = Duration.ofMillis(500);
    long start = System.nanoTime();
    java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(2);
    List<String> errors =
        onRing(
            3,
            timeout,
            (rank, ring) -> {
              if (rank == 2) {
                // Alive but silent: never enters the all-reduce, keeps its connections open
                // until both others have reported.
                try {
                  reported.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return "silent";
              }
              try {
                ring.allReduceArrays(
                    ReduceOp.SUM, RingReference.data(rank, 1000), new double[0], "s");
                return "no error";
              } catch (CollectiveException e) {
                return e.getMessage() + " after " + (System.nanoTime() - start) / 1_000_000 + " ms";
              } finally {
                reported.countDown();
              }
            });
    // Rank 0 waits on rank 2 directly and times out; rank 1 waits on rank 0, which sends it
    // heartbeats while it waits and then the reason it gave up.
    assertThat(errors.get(0)).contains("rank 0 got nothing from rank 2 at");
    assertThat(errors.get(1))
        .contains("rank 0 got nothing from rank 2")
        .contains("reported to rank 1");
    for (int r = 0; r < 2; r++) {
      var m = java.util.regex.Pattern.compile("after (\\d+) ms").matcher(errors.get(r));
      assertThat(m.find()).isTrue();
      // The 0.5 s timeout plus generous scheduling slack for a loaded 2-core machine (builds of
      // other branches run beside the tests): bounded, far from a hang.
      assertThat(Long.parseLong(m.group(1))).as("rank %d failed after", r).isLessThan(5000);
    }
  }

  @Test
  void brokenRing_refusesLaterCalls() throws Exception {
    List<String> errors =
        onRing(
            2,
            Duration.ofSeconds(10),
            (rank, ring) -> {
              if (rank == 1) {
                ring.close();
                return "closed";
              }
              try {
                ring.allReduceArrays(ReduceOp.SUM, new float[4], new double[0], "s");
                return "no error";
              } catch (CollectiveException first) {
                try {
                  ring.barrier();
                  return "second call passed";
                } catch (CollectiveException second) {
                  return first.getMessage() + " | " + second.getMessage();
                }
              }
            });
    assertThat(errors.get(0))
        .contains("rank 1 closed its collectives")
        .contains("broken by an earlier failure");
  }

  @Test
  void joinErrors_areClear() {
    RingCollectives.Endpoint a = RingCollectives.bind(RingReference.loopback());
    RingCollectives.Endpoint b = RingCollectives.bind(RingReference.loopback());
    var addresses = List.of(a.address(), b.address());
    assertThatThrownBy(() -> a.join(1, addresses, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rank 1's address in the list is");
    RingCollectives.Endpoint c = RingCollectives.bind(RingReference.loopback());
    // Nobody else joins: the connection from rank 1 never comes.
    assertThatThrownBy(() -> c.join(0, List.of(c.address(), b.address()), Duration.ofMillis(300)))
        .isInstanceOf(CollectiveException.class)
        .hasMessageContaining("rank 1 at");
    b.close();
  }
}
