package dev.sonnet.conformance.distribute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.checkpoint.ModuleCopies;
import dev.sonnet.distribute.PerReplica;
import dev.sonnet.distribute.Replicator;
import dev.sonnet.nn.CrossReplicaBatchNorm;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CrossReplicaBatchNorm} against plain loops over the concatenated batch, and its gradient
 * (through the cross-replica sum) against central differences of the total loss in float64.
 */
class CrossReplicaBatchNormTest {
  private static final int ROWS = 3;
  private static final int CHANNELS = 2;
  private static final double EPS = CrossReplicaBatchNorm.DEFAULT_EPS;

  private static Tensor uniform(long seed, int... shape) {
    return Tensor.randomUniform(new Rng(seed), DType.FLOAT64, Shape.of(shape), -1, 1);
  }

  /** {@code (x - mean) / sqrt(var + eps)} per channel with the moments of {@code all}. */
  private static double[] reference(double[] all, double[] part) {
    int c = CHANNELS;
    int n = all.length / c;
    double[] mean = new double[c];
    double[] var = new double[c];
    for (int i = 0; i < all.length; i++) {
      mean[i % c] += all[i] / n;
    }
    for (int i = 0; i < all.length; i++) {
      double d = all[i] - mean[i % c];
      var[i % c] += d * d / n;
    }
    double[] y = new double[part.length];
    for (int i = 0; i < part.length; i++) {
      y[i] = (part[i] - mean[i % c]) / Math.sqrt(var[i % c] + EPS);
    }
    return y;
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = new double[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * Float64 on values of order 1: the E[x^2] - E[x]^2 form loses a few digits to cancellation
   * against the two-pass reference (variances here are about 0.3 against squares up to 1), so 1e-12
   * rather than 1e-15.
   */
  private static final double TOLERANCE = 1e-12;

  @Test
  void outsideReplicas_normalisesWithTheLocalBatch() {
    var bn = new CrossReplicaBatchNorm(false, false);
    Tensor x = uniform(1, ROWS, CHANNELS);
    double[] y = bn.call(x, true).toDoubleArray();
    double[] expected = reference(x.toDoubleArray(), x.toDoubleArray());
    for (int i = 0; i < y.length; i++) {
      assertThat(y[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(TOLERANCE));
    }
  }

  @Test
  void inTwoReplicas_everyReplicaNormalisesWithTheGlobalMoments() {
    Tensor x0 = uniform(1, ROWS, CHANNELS);
    Tensor x1 = uniform(2, ROWS, CHANNELS).mul(3).add(1); // different statistics per replica
    double[] all = concat(x0.toDoubleArray(), x1.toDoubleArray());
    try (Replicator replicator = Replicator.cpu(2)) {
      var bn = new CrossReplicaBatchNorm(false, false);
      PerReplica<Tensor> ys = replicator.run((ctx, x) -> bn.call(x, true), PerReplica.of(x0, x1));
      for (int r = 0; r < 2; r++) {
        double[] y = ys.get(r).toDoubleArray();
        double[] expected = reference(all, (r == 0 ? x0 : x1).toDoubleArray());
        for (int i = 0; i < y.length; i++) {
          assertThat(y[i])
              .as("replica %d element %d", r, i)
              .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(TOLERANCE));
        }
      }
      // Both replicas updated their moving averages with the same global moments.
      Tensor m0 = bn.movingMean().variables().get(2).peekReplica(0);
      Tensor m1 = bn.movingMean().variables().get(2).peekReplica(1);
      assertThat(m1.toDoubleArray()).isEqualTo(m0.toDoubleArray());
    }
  }

  /**
   * The total loss {@code L = sum_r sum(bn(x_r) * w_r)}: each replica's tape gradient of its own
   * term with respect to its input must be {@code dL/dx_r}, which includes how {@code x_r} moved
   * the statistics the other replica used. Central differences with step 1e-6 in float64 have a
   * truncation error of order h^2 * f''' ~ 1e-12 and a rounding error of order u / h ~ 1e-10; 1e-7
   * bounds both with room, and a missing cross-replica term (of order 1 / (2 * ROWS) = 0.17) would
   * fail it by six orders of magnitude.
   */
  @Test
  void gradient_throughTheCrossReplicaSum_matchesFiniteDifferencesOfTheTotalLoss() {
    Tensor[] xs = {uniform(3, ROWS, CHANNELS), uniform(4, ROWS, CHANNELS).mul(2)};
    Tensor[] ws = {uniform(5, ROWS, CHANNELS), uniform(6, ROWS, CHANNELS)};
    try (Replicator replicator = Replicator.cpu(2)) {
      var bn = new CrossReplicaBatchNorm(false, false);
      PerReplica<Tensor> grads =
          replicator.run(
              (ctx, x) -> {
                try (GradientTape tape = GradientTape.open()) {
                  tape.watch(x);
                  Tensor loss = bn.call(x, false, true).mul(ws[ctx.replicaId()]).sum();
                  return tape.gradient(loss, x);
                }
              },
              PerReplica.of(xs[0], xs[1]));
      double h = 1e-6;
      for (int r = 0; r < 2; r++) {
        double[] analytic = grads.get(r).toDoubleArray();
        for (int i = 0; i < analytic.length; i++) {
          double plus = totalLoss(replicator, bn, perturbed(xs, r, i, h), ws);
          double minus = totalLoss(replicator, bn, perturbed(xs, r, i, -h), ws);
          double numeric = (plus - minus) / (2 * h);
          assertThat(analytic[i])
              .as("dL/dx_%d[%d]", r, i)
              .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-7));
        }
      }
    }
  }

  private static Tensor[] perturbed(Tensor[] xs, int replica, int index, double delta) {
    Tensor[] out = xs.clone();
    double[] v = xs[replica].toDoubleArray();
    v[index] += delta;
    out[replica] = Tensor.of(v, ROWS, CHANNELS);
    return out;
  }

  private static double totalLoss(
      Replicator replicator, CrossReplicaBatchNorm bn, Tensor[] xs, Tensor[] ws) {
    PerReplica<Tensor> losses =
        replicator.run(
            (ctx, x) -> bn.call(x, false, true).mul(ws[ctx.replicaId()]).sum(),
            PerReplica.of(xs[0], xs[1]));
    return losses.get(0).item() + losses.get(1).item();
  }

  @Test
  void builderReprAndDeepCopy() {
    var bn = CrossReplicaBatchNorm.builder(true, false).decayRate(0.9).build();
    assertThat(bn.toString())
        .isEqualTo("CrossReplicaBatchNorm(createScale=true, createOffset=false, decayRate=0.9)");
    bn.call(uniform(7, ROWS, CHANNELS), true);
    CrossReplicaBatchNorm copy = ModuleCopies.deepCopy(bn);
    Tensor x = uniform(8, ROWS, CHANNELS);
    assertThat(copy.call(x, false).toDoubleArray()).isEqualTo(bn.call(x, false).toDoubleArray());
    assertThat(List.of(copy.variables().size())).containsExactly(bn.variables().size());
  }
}
