package dev.sonnet.distribute;

import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * One replica's handle on a group of {@link #worldSize()} replicas that exchange tensors: the
 * all-reduce that data-parallel training averages its gradients with, a broadcast to start every
 * replica from the same values, and a barrier.
 *
 * <p><b>Calling rules.</b> Collective calls are made by every replica of the group, in the same
 * order, with matching arguments (the same number of tensors with the same shapes and dtypes in the
 * same order, the same root); one handle is used by one thread at a time. A replica that breaks
 * these rules, dies, or stays silent longer than the implementation's timeout makes the call throw
 * a {@link CollectiveException} naming it on every replica that can still notice, never a hang, and
 * leaves the group broken: later calls throw at once.
 *
 * <p><b>Determinism.</b> Results never depend on timing: every implementation adds the replicas'
 * values in an order fixed by the group's size, so a run repeats bit for bit, and every replica
 * receives the very same bits (replicas that start equal stay equal).
 *
 * <p><b>Dtypes.</b> Float32 and float64 tensors are reduced in their own precision; other dtypes
 * are refused (reducing integer labels is not what anyone means). Results are new tensors on the
 * backend of the corresponding input; the inputs are not changed.
 *
 * <p>Implementations: {@link InProcessCollectives} for replicas that are threads of one process;
 * {@link RingCollectives} for replicas in different processes or machines (a ring all-reduce over
 * TCP).
 */
public interface Collectives extends AutoCloseable {
  /** This replica's index in the group, from 0 to {@code worldSize() - 1}. */
  int rank();

  /** The number of replicas in the group. */
  int worldSize();

  /**
   * Reduces each tensor element-wise across all replicas and returns the results, in the order of
   * {@code tensors}; every replica gets identical values.
   *
   * @throws CollectiveException when a replica fails or the arguments disagree across replicas
   * @throws IllegalArgumentException for a tensor that is not float32 or float64
   */
  List<Tensor> allReduce(ReduceOp op, List<Tensor> tensors);

  /** {@link #allReduce(ReduceOp, List)} of one tensor. */
  default Tensor allReduce(ReduceOp op, Tensor tensor) {
    return allReduce(op, List.of(tensor)).get(0);
  }

  /**
   * Returns replica {@code root}'s tensors on every replica (the other replicas' arguments give
   * only the shapes and dtypes, which must match root's). Used to start every replica from the same
   * initial values when they were created independently.
   */
  List<Tensor> broadcast(int root, List<Tensor> tensors);

  /** Returns once every replica of the group has called it. */
  void barrier();

  /**
   * Leaves the group and frees its resources (threads, sockets). Idempotent. Replicas still waiting
   * in a collective call with this one get a {@link CollectiveException}.
   */
  @Override
  void close();
}
