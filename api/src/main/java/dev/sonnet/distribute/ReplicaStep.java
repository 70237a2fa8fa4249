package dev.sonnet.distribute;

/**
 * The work of one replica in one call of {@link Replicator#run}: typically a training step that
 * computes the loss of its share of the batch, all-reduces the gradients through {@code context},
 * applies them, and returns the loss.
 */
@FunctionalInterface
public interface ReplicaStep<I, O> {
  /** Runs on replica {@code context.replicaId()} with that replica's {@code input}. */
  O run(ReplicaContext context, I input);
}
