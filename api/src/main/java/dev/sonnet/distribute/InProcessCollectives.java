package dev.sonnet.distribute;

import dev.sonnet.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Collectives among replicas that are threads of one process: each replica hands its packed tensors
 * to the group, each reduces one contiguous chunk of the elements (adding the replicas' values in
 * rank order, so the result is the same whichever thread computes it), and each copies the whole
 * result back. That is a reduce-scatter and an all-gather in shared memory: every element is read
 * {@code n} times and written about twice, whatever the number of replicas.
 *
 * <p>{@link #group(int)} makes the handles, one per replica thread. A replica that does not arrive
 * within the timeout ({@link #DEFAULT_TIMEOUT} unless given) breaks the group with an error naming
 * it; {@link Collectives#close()} on any handle, or {@link #abort}, breaks it at once, which is how
 * {@link Replicator} stops the others when one replica's step throws.
 */
public final class InProcessCollectives implements Collectives {
  /**
   * How long a replica waits for the others at each collective by default: long enough for the
   * slowest step of a large model on a loaded machine, short enough that a stuck replica is
   * reported rather than hanging a job for ever.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

  private final Group group;
  private final int rank;

  private InProcessCollectives(Group group, int rank) {
    this.group = group;
    this.rank = rank;
  }

  /** A group of {@code n} replicas with the {@link #DEFAULT_TIMEOUT}; element r is rank r. */
  public static List<Collectives> group(int n) {
    return group(n, DEFAULT_TIMEOUT);
  }

  /** A group of {@code n} replicas that wait for each other at most {@code timeout}. */
  public static List<Collectives> group(int n, Duration timeout) {
    if (n < 1) {
      throw new IllegalArgumentException("A group needs at least one replica, got " + n);
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    Group g = new Group(n, timeout);
    List<Collectives> members = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      members.add(new InProcessCollectives(g, r));
    }
    return List.copyOf(members);
  }

  /**
   * Breaks the group of {@code member} (an element of a {@link #group} list) with {@code cause}:
   * every replica waiting in, or later entering, a collective throws a {@link CollectiveException}
   * carrying its message.
   */
  public static void abort(Collectives member, String cause) {
    if (!(member instanceof InProcessCollectives m)) {
      throw new IllegalArgumentException("Not an in-process group member: " + member);
    }
    m.group.rendezvous.abort(new CollectiveException(cause));
  }

  /** Whether the group has been broken (a timeout, an abort, a closed handle). */
  boolean isBroken() {
    return group.rendezvous.isBroken();
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return group.size;
  }

  @Override
  public List<Tensor> allReduce(ReduceOp op, List<Tensor> tensors) {
    Objects.requireNonNull(op, "op");
    if (group.size == 1) {
      PackedTensors.check("allReduce", tensors);
      return List.copyOf(tensors); // the sum or mean of one replica's values is those values
    }
    PackedTensors packed = PackedTensors.pack("allReduce", tensors);
    exchange(packed, op, -1);
    return packed.unpack();
  }

  @Override
  public List<Tensor> broadcast(int root, List<Tensor> tensors) {
    if (root < 0 || root >= group.size) {
      throw new IllegalArgumentException(
          "broadcast: root " + root + " is not a rank of a group of " + group.size);
    }
    PackedTensors packed = PackedTensors.pack("broadcast", tensors);
    if (group.size == 1) {
      return List.copyOf(tensors);
    }
    exchange(packed, null, root);
    return packed.unpack();
  }

  @Override
  public void barrier() {
    group.rendezvous.await(rank, "barrier");
  }

  @Override
  public void close() {
    if (!group.rendezvous.isBroken()) {
      group.rendezvous.abort(
          new CollectiveException(group.name + ": replica " + rank + " closed its handle"));
    }
  }

  /**
   * The three rounds of one collective: publish, reduce (or copy from root) one chunk each into
   * rank 0's arrays, copy the result out. {@code op} null means broadcast from {@code root}.
   */
  private void exchange(PackedTensors mine, ReduceOp op, int root) {
    String what = op == null ? "broadcast" : "allReduce(" + op + ")";
    group.published[rank] = mine;
    group.rendezvous.await(rank, what);
    PackedTensors first = group.published[0];
    for (int r = 0; r < group.size; r++) {
      PackedTensors other = group.published[r];
      if (!other.signature.equals(mine.signature)) {
        CollectiveException e =
            new CollectiveException(
                group.name
                    + ": "
                    + what
                    + " got different tensors on replica "
                    + rank
                    + " ["
                    + mine.signature
                    + "] and replica "
                    + r
                    + " ["
                    + other.signature
                    + "]; every replica must pass the same shapes in the same order");
        group.rendezvous.abort(e);
        throw e;
      }
    }
    // Rank 0's arrays receive the result: rank r writes only its own chunk of them, and reads the
    // others' arrays only in that chunk, so no element is written and read by two threads in one
    // round.
    int[] floatLengths = PackedTensors.lengths(first.floats);
    int[] doubleLengths = PackedTensors.lengths(first.doubles);
    reduceChunk(
        first.floatCount,
        (lo, hi) ->
            PackedTensors.pieces(
                floatLengths, lo, hi, (p, from, n, at) -> reduceFloats(op, root, p, from, n)));
    reduceChunk(
        first.doubleCount,
        (lo, hi) ->
            PackedTensors.pieces(
                doubleLengths, lo, hi, (p, from, n, at) -> reduceDoubles(op, root, p, from, n)));
    group.rendezvous.await(rank, what);
    if (rank != 0) {
      for (int p = 0; p < mine.floats.length; p++) {
        System.arraycopy(first.floats[p], 0, mine.floats[p], 0, mine.floats[p].length);
      }
      for (int p = 0; p < mine.doubles.length; p++) {
        System.arraycopy(first.doubles[p], 0, mine.doubles[p], 0, mine.doubles[p].length);
      }
    }
    // Rank 0 must not reuse its arrays (return them, start the next call) before all have copied.
    group.rendezvous.await(rank, what);
    group.published[rank] = null;
  }

  private interface Range {
    void run(int lo, int hi);
  }

  private void reduceChunk(int length, Range body) {
    long lo = (long) length * rank / group.size;
    long hi = (long) length * (rank + 1) / group.size;
    if (hi > lo) {
      body.run((int) lo, (int) hi);
    }
  }

  /** Elements {@code [from, from + n)} of float part {@code part}, into rank 0's array. */
  private void reduceFloats(ReduceOp op, int root, int part, int from, int n) {
    float[] out = group.published[0].floats[part];
    int to = from + n;
    if (op == null) {
      if (root != 0) {
        System.arraycopy(group.published[root].floats[part], from, out, from, n);
      }
      return;
    }
    for (int r = 1; r < group.size; r++) {
      float[] in = group.published[r].floats[part];
      for (int i = from; i < to; i++) {
        out[i] += in[i];
      }
    }
    if (op == ReduceOp.MEAN) {
      float d = group.size;
      for (int i = from; i < to; i++) {
        out[i] /= d;
      }
    }
  }

  private void reduceDoubles(ReduceOp op, int root, int part, int from, int n) {
    double[] out = group.published[0].doubles[part];
    int to = from + n;
    if (op == null) {
      if (root != 0) {
        System.arraycopy(group.published[root].doubles[part], from, out, from, n);
      }
      return;
    }
    for (int r = 1; r < group.size; r++) {
      double[] in = group.published[r].doubles[part];
      for (int i = from; i < to; i++) {
        out[i] += in[i];
      }
    }
    if (op == ReduceOp.MEAN) {
      double d = group.size;
      for (int i = from; i < to; i++) {
        out[i] /= d;
      }
    }
  }

  /** What the replicas of one group share. */
  private static final class Group {
    final int size;
    final String name;
    final Rendezvous rendezvous;
    final PackedTensors[] published;

    Group(int size, Duration timeout) {
      this.size = size;
      this.name = "in-process group of " + size;
      this.rendezvous = new Rendezvous(size, timeout, name);
      this.published = new PackedTensors[size];
    }
  }
}
