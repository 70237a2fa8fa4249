package dev.sonnet.distribute;

import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * What a replica's step sees of the others (Sonnet's {@code tf.distribute.get_replica_context()}):
 * its index, their number, and the all-reduce that keeps them in step. {@link #current()} finds it
 * from anywhere inside the step, which is how a module such as {@link
 * dev.sonnet.nn.CrossReplicaBatchNorm} shares its statistics without being handed it.
 *
 * <p>Collectives must be called by every replica of the step, in the same order, with matching
 * tensors (see {@link Collectives}).
 */
public final class ReplicaContext {
  private static final ThreadLocal<ReplicaContext> CURRENT = new ThreadLocal<>();

  private final int replicaId;
  private final Collectives collectives;

  ReplicaContext(int replicaId, Collectives collectives) {
    this.replicaId = replicaId;
    this.collectives = collectives;
  }

  /**
   * The context of the replica whose step is running on this thread, or null outside a replicated
   * step (where code behaves as one replica).
   */
  public static ReplicaContext current() {
    return CURRENT.get();
  }

  /** This replica's index, from 0 to {@link #numReplicas()} - 1. */
  public int replicaId() {
    return replicaId;
  }

  /** The number of replicas running the step. */
  public int numReplicas() {
    return collectives.worldSize();
  }

  /**
   * Reduces each tensor across the replicas ({@code MEAN} for gradients, as in Sonnet's example);
   * every replica gets the same values. The result is not differentiable: use it on gradients, not
   * on values a later gradient must flow through (see {@link #allReduceDifferentiable}).
   */
  public List<Tensor> allReduce(ReduceOp op, List<Tensor> tensors) {
    return collectives.allReduce(op, tensors);
  }

  /** {@link #allReduce(ReduceOp, List)} of one tensor. */
  public Tensor allReduce(ReduceOp op, Tensor tensor) {
    return collectives.allReduce(op, tensor);
  }

  /**
   * The {@code SUM} all-reduce of {@code tensor}, recorded on gradient tapes: its gradient is the
   * {@code SUM} all-reduce of the replicas' incoming gradients (the derivative of a total that
   * every replica's loss depends on), so every replica must also compute its gradient, as a
   * training step does. This is what cross-replica batch statistics need.
   */
  public Tensor allReduceDifferentiable(Tensor tensor) {
    return dev.sonnet.autodiff.Gradients.custom(
        "cross_replica_sum",
        in -> collectives.allReduce(ReduceOp.SUM, in[0]),
        (in, out, upstream) -> new Tensor[] {collectives.allReduce(ReduceOp.SUM, upstream)},
        tensor);
  }

  /** The collectives of this replica's group, for broadcasts and barriers. */
  public Collectives collectives() {
    return collectives;
  }

  static ReplicaContext enter(ReplicaContext context) {
    ReplicaContext previous = CURRENT.get();
    CURRENT.set(context);
    return previous;
  }

  static void exit(ReplicaContext previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }
}
