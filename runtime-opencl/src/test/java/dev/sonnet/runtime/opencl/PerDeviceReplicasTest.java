package dev.sonnet.runtime.opencl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.Backend;
import dev.sonnet.distribute.PerReplica;
import dev.sonnet.distribute.ReduceOp;
import dev.sonnet.distribute.Replicator;
import dev.sonnet.losses.Losses;
import dev.sonnet.nn.Linear;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One replica per OpenCL device: {@link OpenClBackendProvider#perDevice()} lists them, and a
 * replicator over them trains with every replica's values on its own device. This machine has one
 * device (PoCL), so the test puts two replicas on two backends of it (distinct backend instances,
 * as two devices would be): values cross between them only through the host, as between devices.
 */
class PerDeviceReplicasTest {
  @Test
  void replicasOnDeviceBackends_trainOnTheirOwnDeviceAndStayEqual() {
    OpenClFixtures.backend(); // skips where OpenCL is unavailable
    List<Backend> devices = OpenClBackendProvider.perDevice();
    assertThat(devices).isNotEmpty();
    List<Backend> replicas = new ArrayList<>(devices);
    if (replicas.size() == 1) {
      replicas.add(OpenClBackendProvider.perDevice().get(0));
    }
    replicas = replicas.subList(0, 2);
    try (Replicator replicator = Replicator.onBackends(replicas)) {
      Linear linear = new Linear(2);
      SGD sgd = new SGD(0.1);
      Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
      Tensor y = Tensor.of(new float[] {1, 0, 0, 1, 1, 1, 0, 0}, 4, 2);
      PerReplica<Tensor> xs = replicator.split(x);
      PerReplica<Tensor> ys = replicator.split(y);
      for (int step = 0; step < 3; step++) {
        replicator.run(
            (ctx, r) -> {
              try (GradientTape tape = GradientTape.open()) {
                Tensor loss = Losses.meanSquaredError(linear.call(xs.get(r)), ys.get(r));
                assertThat(loss.backend()).isSameAs(replicator.backend(r));
                List<Tensor> grads = tape.gradient(loss, linear.trainableVariables());
                sgd.apply(ctx.allReduce(ReduceOp.MEAN, grads), linear.trainableVariables());
                return loss;
              }
            },
            PerReplica.of(0, 1));
      }
      for (Variable v : linear.variables()) {
        assertThat(v.peekReplica(0).backend()).isSameAs(replicas.get(0));
        assertThat(v.peekReplica(1).backend()).isSameAs(replicas.get(1));
        assertThat(v.peekReplica(1).toFloatArray()).isEqualTo(v.peekReplica(0).toFloatArray());
      }
    }
  }
}
