/**
 * Data-parallel training: replicas that run the same step on different data and keep their
 * variables identical by reducing gradients across replicas.
 *
 * <p>As in Sonnet 2, modules and optimizers do not change under distribution: the training step
 * all-reduces its gradients itself ({@code ctx.allReduce(ReduceOp.MEAN, grads)}), and only the
 * modules whose statistics must be shared ({@link dev.sonnet.nn.CrossReplicaBatchNorm}) know about
 * replicas.
 *
 * <ul>
 *   <li>{@link dev.sonnet.distribute.Collectives}: the exchange between replicas (all-reduce,
 *       broadcast, barrier), with {@link dev.sonnet.distribute.InProcessCollectives} for replicas
 *       that are threads of one process and {@link dev.sonnet.distribute.RingCollectives}, a ring
 *       all-reduce over TCP, for replicas in different processes or machines.
 *   <li>{@link dev.sonnet.distribute.Replicator}: N replicas in this process (CPU replicas split
 *       the cores, or one per device), mirrored variables, {@code run(step, perReplicaInputs)},
 *       {@code reduce}, {@code split}; a step sees its {@link
 *       dev.sonnet.distribute.ReplicaContext}.
 * </ul>
 */
package dev.sonnet.distribute;
