package dev.sonnet.conformance.distribute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.distribute.PerReplica;
import dev.sonnet.distribute.ReduceOp;
import dev.sonnet.distribute.Replicator;
import dev.sonnet.distribute.RingCollectives;
import dev.sonnet.losses.Losses;
import dev.sonnet.nn.CrossReplicaBatchNorm;
import dev.sonnet.nn.Linear;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.optimizers.Optimizer;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The equivalence: two replicas, each training on its own batch of {@link #B} rows and
 * averaging gradients with {@code allReduce(MEAN)}, follow one replica training on the concatenated
 * batch of {@code 2B} rows, step for step, for SGD and Adam, with and without {@link
 * CrossReplicaBatchNorm} (whose statistics then cover both replicas' rows).
 *
 * <p><b>Why a tolerance, and which.</b> The two runs compute the same real numbers: the mean loss
 * over {@code 2B} rows is the mean of the two replicas' mean losses (both scalings are by powers of
 * two, exact in binary), and the cross-replica moments are the moments of the whole batch. They
 * differ only in the order of additions: a weight gradient is one sum of {@code 2B} products on one
 * replica, and two sums of {@code B} added afterwards on two. Reordering a sum of {@code m} terms
 * moves it by at most about {@code m * u * sum|terms|} ({@code u} the unit roundoff). The test runs
 * in float64 ({@code u = 1.1e-16}) on values of order 1 with {@code m = 8}, so each step's
 * gradients agree to about {@code 1e-15}; over {@link #STEPS} steps at learning rate 0.1 (Adam:
 * 0.01, its update bounded by the rate) the weights drift apart by at most a small multiple of
 * that. {@link #TOLERANCE} = 1e-11 leaves a margin of about 1000x, and is still ten orders of
 * magnitude below what one wrong gradient term would do (weights move by about 1e-2 per step).
 *
 * <p>Adam is the exception that needs its own bound, {@link #ADAM_TOLERANCE}: it divides each step
 * by {@code sqrt(v_hat) + eps}, so where the exact gradient is zero (the bias of the layer in front
 * of a batch norm, which the normalisation cancels) the two runs' rounding noise {@code delta}
 * (about 1e-15) is not scaled down but amplified, up to {@code lr * delta / eps} = 0.01 * 1e-15 /
 * 1e-8 = 1e-9 per step, 4e-9 over the run; 1e-8 bounds that, and is still far below a real
 * difference (Adam moves every weight with a nonzero gradient by about lr = 1e-2 per step).
 *
 * <p>The replicas themselves must agree bit for bit: the all-reduce gives both the same bits.
 */
class ReplicatorEquivalenceTest {
  private static final int B = 4;
  private static final int IN = 5;
  private static final int HIDDEN = 6;
  private static final int OUT = 3;
  private static final int STEPS = 4;
  private static final double TOLERANCE = 1e-11;
  private static final double ADAM_TOLERANCE = 1e-8;

  /** Linear - (cross-replica batch norm) - tanh - Linear, built lazily on its first call. */
  private static final class Net {
    final Linear first = new Linear(HIDDEN);
    final CrossReplicaBatchNorm bn;
    final Linear second = new Linear(OUT);

    Net(boolean batchNorm) {
      bn = batchNorm ? new CrossReplicaBatchNorm(true, true) : null;
    }

    Tensor call(Tensor x, boolean training) {
      Tensor h = first.call(x);
      if (bn != null) {
        h = bn.call(h, training);
      }
      return second.call(h.tanh());
    }

    List<Variable> trainable() {
      List<Variable> out = new ArrayList<>(first.trainableVariables());
      if (bn != null) {
        out.addAll(bn.trainableVariables());
      }
      out.addAll(second.trainableVariables());
      return out;
    }

    List<Variable> all() {
      List<Variable> out = new ArrayList<>(first.variables());
      if (bn != null) {
        out.addAll(bn.variables());
      }
      out.addAll(second.variables());
      return out;
    }
  }

  private static Tensor data(long seed, int rows, int cols) {
    return Tensor.randomNormal(new Rng(seed), DType.FLOAT64, Shape.of(rows, cols), 0, 1);
  }

  @Test
  void sgd_twoReplicasEqualOneOnTheConcatenatedBatch() {
    check(false, () -> new SGD(0.1), TOLERANCE);
  }

  @Test
  void adam_twoReplicasEqualOneOnTheConcatenatedBatch() {
    check(false, () -> new Adam(0.01), ADAM_TOLERANCE);
  }

  @Test
  void sgdWithCrossReplicaBatchNorm_twoReplicasEqualOneOnTheConcatenatedBatch() {
    check(true, () -> new SGD(0.1), TOLERANCE);
  }

  @Test
  void adamWithCrossReplicaBatchNorm_twoReplicasEqualOneOnTheConcatenatedBatch() {
    check(true, () -> new Adam(0.01), ADAM_TOLERANCE);
  }

  /**
   * The same equivalence for replicas in different processes: two threads, each with its own model
   * (as two JVMs would have), all-reducing over the TCP ring on loopback. The ring sums in its own
   * fixed order; for two ranks that is one addition, commutative in IEEE arithmetic, so the same
   * tolerance holds and the two models agree bit for bit.
   */
  @Test
  void sgdOverTheTcpRing_twoProcessesWorthOfReplicasEqualOneOnTheConcatenatedBatch()
      throws Exception {
    Tensor x = data(1, 2 * B, IN);
    Tensor y = data(2, 2 * B, OUT);
    Net single = new Net(false);
    single.call(x, false);
    List<Tensor> initial = single.all().stream().map(Variable::peek).toList();
    Optimizer singleOpt = new SGD(0.1);
    for (int s = 0; s < STEPS; s++) {
      try (GradientTape tape = GradientTape.open()) {
        Tensor loss = Losses.meanSquaredError(single.call(x, true), y);
        singleOpt.apply(tape.gradient(loss, single.trainable()), single.trainable());
      }
    }
    var any = new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
    List<RingCollectives.Endpoint> endpoints =
        List.of(RingCollectives.bind(any), RingCollectives.bind(any));
    var peers = List.of(endpoints.get(0).address(), endpoints.get(1).address());
    List<Tensor> xs = dev.sonnet.ops.ShapeOps.split(x, 2, 0);
    List<Tensor> ys = dev.sonnet.ops.ShapeOps.split(y, 2, 0);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      List<java.util.concurrent.Future<List<double[]>>> ranks = new ArrayList<>();
      for (int rank = 0; rank < 2; rank++) {
        int r = rank;
        ranks.add(
            pool.submit(
                () -> {
                  try (RingCollectives ring =
                      endpoints.get(r).join(r, peers, java.time.Duration.ofSeconds(30))) {
                    Net net = new Net(false);
                    net.call(x, false);
                    for (int i = 0; i < initial.size(); i++) {
                      net.all().get(i).assign(initial.get(i));
                    }
                    Optimizer opt = new SGD(0.1);
                    for (int s = 0; s < STEPS; s++) {
                      try (GradientTape tape = GradientTape.open()) {
                        Tensor loss = Losses.meanSquaredError(net.call(xs.get(r), true), ys.get(r));
                        List<Tensor> grads = tape.gradient(loss, net.trainable());
                        opt.apply(ring.allReduce(ReduceOp.MEAN, grads), net.trainable());
                      }
                    }
                    List<double[]> out = new ArrayList<>();
                    for (Variable v : net.all()) {
                      out.add(v.peek().toDoubleArray());
                    }
                    return out;
                  }
                }));
      }
      List<double[]> r0 = ranks.get(0).get(60, java.util.concurrent.TimeUnit.SECONDS);
      List<double[]> r1 = ranks.get(1).get(60, java.util.concurrent.TimeUnit.SECONDS);
      List<Variable> expected = single.all();
      for (int i = 0; i < r0.size(); i++) {
        assertThat(r1.get(i)).as("ranks agree bit for bit").isEqualTo(r0.get(i));
        double[] e = expected.get(i).peek().toDoubleArray();
        for (int k = 0; k < e.length; k++) {
          assertThat(r0.get(i)[k]).isCloseTo(e[k], org.assertj.core.data.Offset.offset(TOLERANCE));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void check(boolean batchNorm, Supplier<Optimizer> optimizers, double tolerance) {
    Tensor x = data(1, 2 * B, IN);
    Tensor y = data(2, 2 * B, OUT);

    // One replica on the whole batch.
    Net single = new Net(batchNorm);
    Optimizer singleOpt = optimizers.get();
    single.call(x, false); // builds it; evaluation mode leaves the moving averages alone
    // No TensorScope is open, so these values stay valid after the single run's updates.
    List<Tensor> initial = single.all().stream().map(Variable::peek).toList();
    double[] singleLosses = new double[STEPS];
    for (int s = 0; s < STEPS; s++) {
      try (GradientTape tape = GradientTape.open()) {
        Tensor loss = Losses.meanSquaredError(single.call(x, true), y);
        singleLosses[s] = loss.item();
        singleOpt.apply(tape.gradient(loss, single.trainable()), single.trainable());
      }
    }

    // Two replicas on half the batch each, starting from the same weights.
    try (Replicator replicator = Replicator.cpu(2)) {
      Net replicated = new Net(batchNorm);
      Optimizer opt = optimizers.get();
      try (var scope = replicator.scope()) {
        replicated.call(x, false); // builds it in the scope: mirrored variables
      }
      List<Variable> vars = replicated.all();
      for (int i = 0; i < vars.size(); i++) {
        assertThat(vars.get(i).isMirrored()).as(vars.get(i).name()).isTrue();
        vars.get(i).assign(initial.get(i));
      }
      PerReplica<Tensor> xs = replicator.split(x);
      PerReplica<Tensor> ys = replicator.split(y);
      for (int s = 0; s < STEPS; s++) {
        PerReplica<Tensor> losses =
            replicator.run(
                (ctx, r) -> {
                  try (GradientTape tape = GradientTape.open()) {
                    Tensor loss =
                        Losses.meanSquaredError(
                            replicated.call(xs.get(r), true), ys.get(r).to(xs.get(r).backend()));
                    List<Tensor> grads = tape.gradient(loss, replicated.trainable());
                    grads = ctx.allReduce(ReduceOp.MEAN, grads);
                    opt.apply(grads, replicated.trainable());
                    return loss;
                  }
                },
                PerReplica.of(0, 1));
        double mean = replicator.reduce(ReduceOp.MEAN, losses).item();
        assertThat(mean)
            .as("step %d loss", s)
            .isCloseTo(singleLosses[s], org.assertj.core.data.Offset.offset(tolerance));
      }
      List<Variable> a = single.all();
      List<Variable> b = replicated.all();
      assertThat(b).hasSize(a.size());
      for (int i = 0; i < a.size(); i++) {
        Variable v = b.get(i);
        double[] r0 = v.peekReplica(0).toDoubleArray();
        double[] r1 = v.peekReplica(1).toDoubleArray();
        assertThat(r1).as("replicas of %s agree bit for bit", v.name()).isEqualTo(r0);
        double[] expected = a.get(i).peek().toDoubleArray();
        for (int k = 0; k < r0.length; k++) {
          assertThat(r0[k])
              .as("%s[%d]", v.name(), k)
              .isCloseTo(expected[k], org.assertj.core.data.Offset.offset(tolerance));
        }
      }
      assertThat(opt.step()).isEqualTo(STEPS);
    }
  }
}
