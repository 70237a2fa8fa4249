package dev.sonnet.samples.spark;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Turns the messages of a barrier stage's {@code BarrierTaskContext.allGather} into a ring: each
 * replica's rank (its partition id), every peer's address, and the checkpoint step the whole group
 * resumes from.
 *
 * <p>Every task publishes one message, {@link #message}: its rank, the address its ring socket
 * listens on, and (rank 0 only) the latest checkpoint step it sees. Spark returns the messages of
 * all tasks, ordered by partition id, to every task; {@link #membership} checks them and builds the
 * same {@link Membership} on each replica. Only rank 0 reads the checkpoint directory, so the
 * replicas cannot disagree on where to resume even if a listing changes while they start.
 *
 * <p>Pure string handling, no Spark types: unit tests run it without a cluster.
 */
public final class RingRendezvous {
  /** Tags each message, so a message from something else is an error, not a garbled address. */
  static final String TAG = "sonnet-ring-v1";

  private static final String NO_CHECKPOINT = "none";

  private RingRendezvous() {}

  /**
   * The ring a replica belongs to.
   *
   * @param rank this replica, {@code 0 .. worldSize - 1}
   * @param peers every replica's ring address, indexed by rank (this one's included)
   * @param resumeStep the checkpoint step every replica restores, or empty to start from scratch
   */
  public record Membership(int rank, List<InetSocketAddress> peers, OptionalLong resumeStep) {
    public Membership {
      peers = List.copyOf(peers);
      if (rank < 0 || rank >= peers.size()) {
        throw new IllegalArgumentException(
            "rank " + rank + " is not in a ring of " + peers.size() + " replicas");
      }
    }

    /** The number of replicas. */
    public int worldSize() {
      return peers.size();
    }
  }

  /**
   * The message replica {@code rank} publishes: {@code sonnet-ring-v1 <rank> <host> <port>
   * <step|none>}. {@code latestCheckpoint} is what rank 0 saw in the checkpoint directory; other
   * ranks pass empty (it is ignored for them).
   */
  public static String message(int rank, String host, int port, OptionalLong latestCheckpoint) {
    if (rank < 0) {
      throw new IllegalArgumentException("rank must be >= 0, got " + rank);
    }
    if (host == null || host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "A ring host is a name without spaces, got \"" + host + "\"");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "Ring rendezvous: replica " + rank + " has port " + port + ", expected 1..65535");
    }
    String step =
        rank == 0 && latestCheckpoint.isPresent()
            ? Long.toString(latestCheckpoint.getAsLong())
            : NO_CHECKPOINT;
    return TAG + " " + rank + " " + host + " " + port + " " + step;
  }

  /**
   * Checks the gathered messages and returns the membership of {@code myPartition}.
   *
   * @param gathered what {@code allGather} returned: one message per task, in partition order
   * @param myPartition this task's partition id, which is its rank
   * @throws IllegalStateException naming the offending message if one is malformed, out of order,
   *     or the count does not match
   */
  public static Membership membership(String[] gathered, int myPartition, int numPartitions) {
    if (gathered.length != numPartitions) {
      throw new IllegalStateException(
          "Ring rendezvous: "
              + numPartitions
              + " tasks in the barrier stage but "
              + gathered.length
              + " messages gathered");
    }
    List<InetSocketAddress> peers = new ArrayList<>(gathered.length);
    OptionalLong resume = OptionalLong.empty();
    for (int i = 0; i < gathered.length; i++) {
      String[] f = gathered[i] == null ? new String[0] : gathered[i].split(" ");
      if (f.length != 5 || !f[0].equals(TAG)) {
        throw new IllegalStateException(
            "Ring rendezvous: message "
                + i
                + " is \""
                + gathered[i]
                + "\", expected \""
                + TAG
                + " <rank> <host> <port> <step|none>\"");
      }
      int rank = parseInt(f[1], "rank", gathered[i]);
      if (rank != i) {
        throw new IllegalStateException(
            "Ring rendezvous: message "
                + i
                + " comes from rank "
                + rank
                + " (\""
                + gathered[i]
                + "\"); ranks are partition ids, gathered in partition order");
      }
      int port = parseInt(f[3], "port", gathered[i]);
      if (port < 1 || port > 65535) {
        throw new IllegalStateException(
            "Ring rendezvous: port " + port + " out of 1..65535 in \"" + gathered[i] + "\"");
      }
      peers.add(InetSocketAddress.createUnresolved(f[2], port));
      if (rank == 0 && !f[4].equals(NO_CHECKPOINT)) {
        long step = parseLong(f[4], "checkpoint step", gathered[i]);
        if (step < 0) {
          throw new IllegalStateException(
              "Ring rendezvous: negative checkpoint step in \"" + gathered[i] + "\"");
        }
        resume = OptionalLong.of(step);
      }
    }
    if (myPartition < 0 || myPartition >= numPartitions) {
      throw new IllegalStateException(
          "Ring rendezvous: partition " + myPartition + " of " + numPartitions);
    }
    return new Membership(myPartition, peers, resume);
  }

  private static int parseInt(String s, String what, String message) {
    long v = parseLong(s, what, message);
    if (v > Integer.MAX_VALUE) {
      throw new IllegalStateException(
          "Ring rendezvous: " + what + " " + s + " is too large in \"" + message + "\"");
    }
    return (int) v;
  }

  private static long parseLong(String s, String what, String message) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "Ring rendezvous: " + what + " \"" + s + "\" is not a number in \"" + message + "\"", e);
    }
  }
}
