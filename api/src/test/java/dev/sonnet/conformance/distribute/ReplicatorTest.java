package dev.sonnet.conformance.distribute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.distribute.CollectiveException;
import dev.sonnet.distribute.Collectives;
import dev.sonnet.distribute.InProcessCollectives;
import dev.sonnet.distribute.PerReplica;
import dev.sonnet.distribute.ReduceOp;
import dev.sonnet.distribute.ReplicaContext;
import dev.sonnet.distribute.Replicator;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The replicator's contract: mirrored variables, run/reduce/split, failures, collectives. */
class ReplicatorTest {
  @Test
  void variablesCreatedLazilyInRun_areMirroredFromOneInitialValue() {
    try (Replicator replicator = Replicator.cpu(2)) {
      Linear linear = new Linear(3);
      Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
      PerReplica<Tensor> out = replicator.run((ctx, in) -> linear.call(in), replicator.split(x));
      assertThat(linear.variables()).hasSize(2);
      for (Variable v : linear.variables()) {
        assertThat(v.isMirrored()).isTrue();
        assertThat(v.peekReplica(1).toFloatArray()).isEqualTo(v.peekReplica(0).toFloatArray());
      }
      // Replica 1 computed its rows with the same weights as a plain call on them.
      float[] rows23 = linear.call(x).toFloatArray();
      float[] replica1 = out.get(1).toFloatArray();
      for (int i = 0; i < replica1.length; i++) {
        assertThat(replica1[i]).isEqualTo(rows23[6 + i]);
      }
    }
  }

  @Test
  void replicasUpdateTheirOwnCopy_andCrossReplicaAssignSetsAll() {
    try (Replicator replicator = Replicator.cpu(2)) {
      Linear linear = new Linear(1);
      try (var scope = replicator.scope()) {
        linear.call(Tensor.of(new float[] {1}, 1, 1));
      }
      Variable b =
          linear.variables().stream()
              .filter(v -> v.name().endsWith("/b"))
              .findFirst()
              .orElseThrow();
      replicator.run(
          (ctx, r) -> {
            b.assignAdd(Tensor.of(new float[] {ctx.replicaId() + 1f}, 1));
            return null;
          },
          PerReplica.of(0, 1));
      assertThat(b.peekReplica(0).toFloatArray()).containsExactly(1f);
      assertThat(b.peekReplica(1).toFloatArray()).containsExactly(2f);
      assertThat(b.peek().toFloatArray()).as("outside: replica 0's").containsExactly(1f);
      b.assign(Tensor.of(new float[] {5f}, 1));
      assertThat(b.peekReplica(0).toFloatArray()).containsExactly(5f);
      assertThat(b.peekReplica(1).toFloatArray()).containsExactly(5f);
    }
  }

  @Test
  void reduceAndSplit() {
    try (Replicator replicator = Replicator.cpu(2)) {
      PerReplica<Tensor> parts = replicator.split(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
      assertThat(parts.get(0).toFloatArray()).containsExactly(1, 2, 3);
      assertThat(parts.get(1).toFloatArray()).containsExactly(4, 5, 6);
      assertThat(replicator.reduce(ReduceOp.SUM, parts).toFloatArray()).containsExactly(5, 7, 9);
      assertThat(replicator.reduce(ReduceOp.MEAN, parts).toFloatArray())
          .containsExactly(2.5f, 3.5f, 4.5f);
      assertThatThrownBy(() -> replicator.split(Tensor.of(new float[] {1, 2, 3}, 3)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not split into 2 equal shares");
      assertThatThrownBy(() -> replicator.run((ctx, in) -> in, PerReplica.of(1)))
          .hasMessageContaining("got 1 inputs for 2 replicas");
    }
  }

  @Test
  void cpuReplicas_splitTheThreads() {
    try (Replicator replicator = Replicator.cpu(2)) {
      int perReplica = replicator.threadsPerReplica(0);
      assertThat(perReplica).isGreaterThanOrEqualTo(1);
      PerReplica<Integer> seen =
          replicator.run(
              (ctx, in) ->
                  ((dev.sonnet.backend.ThreadBudget) replicator.backend(ctx.replicaId())).threads(),
              PerReplica.of(0, 1));
      assertThat(seen.values()).containsOnly(perReplica);
    }
  }

  @Test
  void aFailingReplica_stopsTheOthersAndRunThrowsItsException() {
    try (Replicator replicator = Replicator.cpu(2, Duration.ofSeconds(30))) {
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  replicator.run(
                      (ctx, in) -> {
                        if (ctx.replicaId() == 1) {
                          throw new IllegalStateException("replica one broke");
                        }
                        return ctx.allReduce(ReduceOp.SUM, Tensor.scalar(1f));
                      },
                      PerReplica.of(0, 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("replica one broke")
          .satisfies(
              e ->
                  assertThat(e.getSuppressed())
                      .singleElement()
                      .isInstanceOf(CollectiveException.class)
                      .extracting(Throwable::getMessage)
                      .asString()
                      .contains("replica 1's step failed"));
      assertThat((System.nanoTime() - start) / 1_000_000)
          .as("stopped at once, not after the 30 s timeout")
          .isLessThan(10_000);
      // The next run gets a fresh group.
      PerReplica<Tensor> sums =
          replicator.run(
              (ctx, in) -> ctx.allReduce(ReduceOp.SUM, Tensor.scalar(1f)), PerReplica.of(0, 1));
      assertThat(sums.get(0).item()).isEqualTo(2.0);
    }
  }

  @Test
  void runInsideAStep_isRefused() {
    try (Replicator replicator = Replicator.cpu(1)) {
      assertThatThrownBy(
              () ->
                  replicator.run((ctx, in) -> replicator.run((c, i) -> i, List.of(1)), List.of(1)))
          .hasMessageContaining("steps do not nest");
      assertThat(ReplicaContext.current()).isNull();
    }
  }

  @Test
  void inProcessCollectives_reduceInRankOrder_andNameAMissingReplica() throws Exception {
    List<Collectives> group = InProcessCollectives.group(3, Duration.ofMillis(300));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (Collectives c : group) {
        results.add(
            pool.submit(
                () -> {
                  float[] v = {0.1f * (c.rank() + 1), 1e8f * (c.rank() == 1 ? -1 : 1), c.rank()};
                  return c.allReduce(ReduceOp.MEAN, Tensor.of(v, 3)).toFloatArray();
                }));
      }
      // Rank order: ((x0 + x1) + x2) / 3, in float.
      float[] expected = {
        ((0.1f + 0.2f) + 0.3f) / 3, ((1e8f + -1e8f) + 1e8f) / 3, ((0f + 1f) + 2f) / 3
      };
      for (Future<float[]> f : results) {
        assertThat(f.get(10, TimeUnit.SECONDS)).containsExactly(expected);
      }
      // Only ranks 0 and 2 come to the barrier: both are told replica 1 is missing.
      Future<?> r0 = pool.submit(() -> group.get(0).barrier());
      Future<?> r2 = pool.submit(() -> group.get(2).barrier());
      for (Future<?> f : List.of(r0, r2)) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(CollectiveException.class)
            .hasMessageContaining("replica 1 did not reach barrier");
      }
      assertThatThrownBy(() -> group.get(1).barrier())
          .as("the group stays broken")
          .isInstanceOf(CollectiveException.class);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void inProcessCollectives_refuseBadInput() throws Exception {
    List<Collectives> group = InProcessCollectives.group(2);
    assertThatThrownBy(() -> group.get(0).allReduce(ReduceOp.SUM, Tensor.of(new int[] {1}, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only f32 and f64 reduce");
    List<Tensor> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> group.get(0).allReduce(ReduceOp.SUM, withNull))
        .hasMessageContaining("tensor 0 is null");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> a = pool.submit(() -> group.get(0).allReduce(ReduceOp.SUM, Tensor.scalar(1f)));
      Future<?> b =
          pool.submit(() -> group.get(1).allReduce(ReduceOp.SUM, Tensor.of(new float[2], 2)));
      for (Future<?> f : List.of(a, b)) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(CollectiveException.class)
            .hasMessageContaining("got different tensors");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
