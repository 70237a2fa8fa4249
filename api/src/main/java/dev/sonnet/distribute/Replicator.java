package dev.sonnet.distribute;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.Backend;
import dev.sonnet.backend.Backends;
import dev.sonnet.backend.ThreadBudget;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.Replicas;
import dev.sonnet.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Data-parallel training over replicas in this process (Sonnet 2's {@code
 * snt.distribute.Replicator}, a mirrored strategy): each replica runs the same step on its share of
 * the batch, on its own thread, with its own copy of every variable.
 *
 * <pre>{@code
 * Replicator replicator = Replicator.cpu(2);
 * var model = new MLP(...);                     // variables are created lazily, mirrored
 * var optimizer = new SGD(0.1);
 * PerReplica<Tensor> losses = replicator.run((ctx, batch) -> {
 *   try (var tape = new GradientTape()) {
 *     Tensor loss = ...;                        // this replica's mean loss
 *     List<Tensor> grads = tape.gradient(loss, model.trainableVariables());
 *     grads = ctx.allReduce(ReduceOp.MEAN, grads);   // "typically just 2 lines"
 *     optimizer.apply(grads, model.trainableVariables());
 *     return loss;
 *   }
 * }, replicator.split(globalBatch));
 * Tensor total = replicator.reduce(ReduceOp.SUM, losses);
 * }</pre>
 *
 * <p><b>Variables.</b> A variable created inside a replicated step (as every module creates its own
 * on its first call), or in {@link #scope()}, is mirrored: created once, from one initial value,
 * with a copy per replica (see {@link Replicas}). A replica reads and updates its own copy; code
 * outside the replicas (checkpoints, evaluation) reads replica 0's, and an {@code assign} there
 * sets every copy. As in Sonnet, nothing is averaged for you: modules and optimizers behave exactly
 * as on one replica, and the step keeps the replicas equal by all-reducing its gradients. The
 * all-reduce gives every replica the same bits, so replicas that start equal stay equal.
 *
 * <p><b>Devices.</b> {@link #cpu(int)} makes replicas that share the CPU backend and split its
 * threads between them (each replica's kernels use {@code threads / replicas} of the pool); {@link
 * #onBackends} puts one replica on each given backend (one per OpenCL device: {@code
 * OpenClBackendProvider.perDevice()} in the OpenCL runtime), and runs each step with that backend
 * as its thread's default, so constants and inputs go to the replica's device.
 *
 * <p><b>Failures.</b> When one replica's step throws, the others are stopped at their next (or
 * current) collective with a {@link CollectiveException} naming it, and {@link #run} throws the
 * original exception. A replica that hangs is reported after the timeout ({@link
 * InProcessCollectives#DEFAULT_TIMEOUT} unless given). The replicas' variables may then differ (one
 * may have applied an update the others did not): restore a checkpoint before going on.
 */
public final class Replicator implements AutoCloseable {
  private final List<Backend> backends;
  private final int[] threadsPerReplica;
  private final Duration timeout;
  private final ExecutorService[] threads;
  private final Replicas.Placement placement;
  private List<Collectives> group;
  private boolean closed;

  private Replicator(List<Backend> backends, int[] threadsPerReplica, Duration timeout) {
    this.backends = List.copyOf(backends);
    this.threadsPerReplica = threadsPerReplica;
    this.timeout = timeout;
    this.threads = new ExecutorService[backends.size()];
    for (int r = 0; r < threads.length; r++) {
      int replica = r;
      // One long-lived thread per replica: a replica's variable updates stay on one thread, which
      // lets them reuse the memory of the values they replace (see Variable), and the runtime's
      // per-thread array caches stay warm from step to step.
      threads[r] =
          Executors.newSingleThreadExecutor(
              task -> {
                Thread t = new Thread(task, "sonnet-replica-" + replica);
                t.setDaemon(true);
                return t;
              });
    }
    List<Backend> placed = this.backends;
    this.placement =
        new Replicas.Placement() {
          @Override
          public int count() {
            return placed.size();
          }

          @Override
          public Tensor place(int replica, Tensor value) {
            return value.to(placed.get(replica));
          }
        };
  }

  /**
   * {@code replicas} replicas on the default backend, splitting its threads between them when it is
   * a CPU backend (each gets {@code max(1, threads / replicas)}), waiting for each other at most
   * {@link InProcessCollectives#DEFAULT_TIMEOUT}.
   */
  public static Replicator cpu(int replicas) {
    return cpu(replicas, InProcessCollectives.DEFAULT_TIMEOUT);
  }

  /** {@link #cpu(int)} with a collective timeout. */
  public static Replicator cpu(int replicas, Duration timeout) {
    if (replicas < 1) {
      throw new IllegalArgumentException("Replicator: replicas must be >= 1, got " + replicas);
    }
    return onBackends(java.util.Collections.nCopies(replicas, Backends.getDefault()), timeout);
  }

  /**
   * One replica per element of {@code backends} (a backend may repeat: its replicas then share it
   * and, for a CPU backend, split its threads), with the default timeout.
   */
  public static Replicator onBackends(List<Backend> backends) {
    return onBackends(backends, InProcessCollectives.DEFAULT_TIMEOUT);
  }

  /** {@link #onBackends(List)} with a collective timeout. */
  public static Replicator onBackends(List<Backend> backends, Duration timeout) {
    Objects.requireNonNull(backends, "backends");
    Objects.requireNonNull(timeout, "timeout");
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("Replicator: needs at least one backend");
    }
    int[] budget = new int[backends.size()];
    for (int r = 0; r < budget.length; r++) {
      Backend b = Objects.requireNonNull(backends.get(r), "backend " + r);
      if (b instanceof ThreadBudget tb) {
        int sharing = 0;
        for (Backend other : backends) {
          sharing += other == b ? 1 : 0;
        }
        budget[r] = Math.max(1, tb.threads() / sharing);
      }
    }
    return new Replicator(backends, budget, timeout);
  }

  /** The number of replicas. */
  public int numReplicas() {
    return backends.size();
  }

  /** Replica {@code replica}'s backend. */
  public Backend backend(int replica) {
    return backends.get(replica);
  }

  /**
   * The threads each CPU replica's kernels use (0 for a replica on a backend without host threads).
   */
  public int threadsPerReplica(int replica) {
    return threadsPerReplica[replica];
  }

  /** A scope on the calling thread in which variables created are mirrored; close it after. */
  public Replicas.Bound scope() {
    checkOpen();
    return Replicas.bind(placement, -1);
  }

  /**
   * Runs {@code step} on every replica at once, replica {@code i} with {@code inputs.get(i)} (a
   * {@link Tensor} input is first moved to the replica's backend), and returns their results once
   * all have finished.
   *
   * @throws IllegalArgumentException if {@code inputs} does not have one value per replica
   * @throws SonnetException if called from inside a replicated step
   */
  public <I, O> PerReplica<O> run(ReplicaStep<I, O> step, PerReplica<I> inputs) {
    // Checked before taking the lock, which the enclosing run holds while it waits for this step.
    if (ReplicaContext.current() != null) {
      throw new SonnetException(
          "Replicator.run was called inside a replicated step (replica "
              + ReplicaContext.current().replicaId()
              + "); steps do not nest");
    }
    return runExclusively(step, inputs);
  }

  private synchronized <I, O> PerReplica<O> runExclusively(
      ReplicaStep<I, O> step, PerReplica<I> inputs) {
    checkOpen();
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(inputs, "inputs");
    if (inputs.size() != numReplicas()) {
      throw new IllegalArgumentException(
          "Replicator.run: got "
              + inputs.size()
              + " inputs for "
              + numReplicas()
              + " replicas; give one per replica (split(batch) makes them)");
    }
    if (group == null || isBroken(group)) {
      group = InProcessCollectives.group(numReplicas(), timeout);
    }
    List<Collectives> members = group;
    List<Future<O>> futures = new ArrayList<>(numReplicas());
    for (int r = 0; r < numReplicas(); r++) {
      int replica = r;
      I input = inputs.get(r);
      futures.add(threads[r].submit(() -> runReplica(replica, members.get(replica), step, input)));
    }
    List<O> results = new ArrayList<>(numReplicas());
    Throwable first = null;
    List<Throwable> others = new ArrayList<>();
    for (int r = 0; r < numReplicas(); r++) {
      try {
        results.add(futures.get(r).get());
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        // The replica whose own step failed comes first; the others' collective errors only say
        // that they were stopped because of it.
        if (first == null || (first instanceof CollectiveException && !isAbortNotice(cause))) {
          if (first != null) {
            others.add(first);
          }
          first = cause;
        } else {
          others.add(cause);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        InProcessCollectives.abort(members.get(0), "Replicator.run was interrupted");
        throw new CollectiveException("Replicator.run was interrupted", e);
      }
    }
    if (first != null) {
      others.forEach(first::addSuppressed);
      if (first instanceof RuntimeException re) {
        throw re;
      }
      if (first instanceof Error err) {
        throw err;
      }
      throw new SonnetException("A replica's step failed: " + first, first);
    }
    return new PerReplica<>(results);
  }

  /** {@link #run(ReplicaStep, PerReplica)} with the inputs as a list, one per replica. */
  public <I, O> PerReplica<O> run(ReplicaStep<I, O> step, List<I> inputs) {
    return run(step, new PerReplica<>(inputs));
  }

  private static boolean isAbortNotice(Throwable t) {
    return t instanceof CollectiveException;
  }

  private static boolean isBroken(List<Collectives> members) {
    return members.get(0) instanceof InProcessCollectives m && m.isBroken();
  }

  private <I, O> O runReplica(int replica, Collectives collectives, ReplicaStep<I, O> step, I in) {
    ReplicaContext context = new ReplicaContext(replica, collectives);
    ReplicaContext previous = ReplicaContext.enter(context);
    Backend backend = backends.get(replica);
    try (var bound = Replicas.bind(placement, replica)) {
      Supplier<O> body =
          () -> {
            @SuppressWarnings("unchecked")
            I input = in instanceof Tensor t ? (I) t.to(backend) : in;
            return step.run(context, input);
          };
      Supplier<O> onDevice = () -> Backends.withDefault(backend, body);
      int budget = threadsPerReplica[replica];
      return budget > 0 && backend instanceof ThreadBudget tb
          ? tb.withThreadsOnThisThread(budget, onDevice)
          : onDevice.get();
    } catch (RuntimeException | Error e) {
      if (!(e instanceof CollectiveException)) {
        InProcessCollectives.abort(
            collectives, "replica " + replica + "'s step failed (" + e + "); the others stopped");
      }
      throw e;
    } finally {
      ReplicaContext.exit(previous);
    }
  }

  /**
   * Combines one tensor per replica into one, on the calling thread's default backend: {@code SUM}
   * adds them in replica order, {@code MEAN} divides that sum by the number of replicas (Sonnet's
   * {@code replicator.reduce("sum", per_replica_loss, axis=None)}).
   */
  public Tensor reduce(ReduceOp op, PerReplica<Tensor> values) {
    Objects.requireNonNull(op, "op");
    if (values.size() != numReplicas()) {
      throw new IllegalArgumentException(
          "Replicator.reduce: got " + values.size() + " values for " + numReplicas() + " replicas");
    }
    Backend here = Backends.getDefault();
    Tensor sum = values.get(0).to(here);
    for (int r = 1; r < values.size(); r++) {
      Tensor v = values.get(r).to(here);
      if (!v.shape().equals(sum.shape()) || v.dtype() != sum.dtype()) {
        throw new IllegalArgumentException(
            "Replicator.reduce: replica "
                + r
                + "'s value is "
                + v.dtype()
                + v.shape()
                + ", replica 0's "
                + sum.dtype()
                + sum.shape());
      }
      sum = sum.add(v);
    }
    return op == ReduceOp.MEAN ? sum.div(values.size()) : sum;
  }

  /**
   * Splits a global batch along its first axis into one equal, contiguous share per replica
   * (replica 0 gets the first rows), each on its replica's backend: Sonnet's {@code
   * experimental_distribute_dataset} for one batch.
   *
   * @throws IllegalArgumentException if the batch's first dimension does not divide evenly
   */
  public PerReplica<Tensor> split(Tensor globalBatch) {
    Objects.requireNonNull(globalBatch, "globalBatch");
    int n = numReplicas();
    if (globalBatch.rank() == 0 || globalBatch.dim(0) % n != 0) {
      throw new IllegalArgumentException(
          "Replicator.split: a batch of shape "
              + globalBatch.shape()
              + " does not split into "
              + n
              + " equal shares along axis 0; use a global batch size divisible by "
              + n);
    }
    List<Tensor> parts = n == 1 ? List.of(globalBatch) : ShapeOps.split(globalBatch, n, 0);
    List<Tensor> placed = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      placed.add(parts.get(r).to(backends.get(r)));
    }
    return new PerReplica<>(placed);
  }

  /** Stops the replica threads and breaks the collective group. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (group != null) {
      group.get(0).close();
    }
    for (ExecutorService t : threads) {
      t.shutdownNow();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Replicator is closed");
    }
  }
}
