package dev.sonnet.tensor;

import java.util.Objects;

/**
 * Which replica the current thread computes for, and how a variable created now is mirrored: the
 * hook through which data-parallel training ({@code dev.sonnet.distribute.Replicator}) gives every
 * replica its own copy of each variable while the model code reads and updates plain {@link
 * Variable}s.
 *
 * <p>A variable created while a {@link Placement} is bound on the thread (in a replicator's scope,
 * or inside a replicated step) is <em>mirrored</em>: it holds one value per replica, all starting
 * from the one initial value (placed on each replica's device). A thread bound to replica {@code i}
 * reads and updates value {@code i}; a thread bound to no replica (the cross-replica context: the
 * training loop, a checkpoint save) reads replica 0's value and updates all of them, so a restore
 * or an {@code assign} keeps the replicas equal. Variables created with nothing bound have one
 * value, shared by every thread, as always.
 *
 * <p>For runtime code, not models: models never see this class.
 */
public final class Replicas {
  /** Where each replica's copy of a value lives. */
  public interface Placement {
    /** The number of replicas. */
    int count();

    /**
     * {@code value} on replica {@code replica}'s device: the value itself when it is already there
     * (tensors are immutable, so replicas on one device may share it).
     */
    Tensor place(int replica, Tensor value);
  }

  /** What a thread is bound to: a placement, and its replica index or -1 (cross-replica). */
  record Binding(Placement placement, int index) {}

  private static final ThreadLocal<Binding> CURRENT = new ThreadLocal<>();

  private Replicas() {}

  /** Restores the previous binding when closed. */
  public interface Bound extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Binds the calling thread to replica {@code index} of {@code placement} (or, with {@code index}
   * -1, to the cross-replica context, where created variables are mirrored but reads see replica 0)
   * until the returned handle is closed; bindings nest.
   */
  public static Bound bind(Placement placement, int index) {
    Objects.requireNonNull(placement, "placement");
    if (index < -1 || index >= placement.count()) {
      throw new IllegalArgumentException(
          "replica index " + index + " outside [-1, " + placement.count() + ")");
    }
    Binding previous = CURRENT.get();
    Thread owner = Thread.currentThread();
    CURRENT.set(new Binding(placement, index));
    return () -> {
      if (Thread.currentThread() != owner) {
        throw new IllegalStateException("A replica binding must be closed on its own thread");
      }
      CURRENT.set(previous);
    };
  }

  /** The calling thread's binding, or null. */
  static Binding current() {
    return CURRENT.get();
  }

  /** The replica index the calling thread computes for, or -1 outside any replica. */
  public static int currentIndex() {
    Binding b = CURRENT.get();
    return b == null ? -1 : b.index();
  }
}
