package dev.sonnet.runtime.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Device memory is freed deterministically by release() and, for buffers nobody releases, by the
 * cleaner once they are unreachable: a training loop keeps the bytes in use flat. Running out of
 * memory is a clear error.
 */
class DeviceMemoryTest {
  private static final int WARMUP_STEPS = 20;
  private static final int STEPS = 200;

  /** Slack over the post-warm-up level: a few small buffers that happen to be alive. */
  private static final long SLACK_BYTES = 64 * 1024;

  @Test
  void trainingLoop_keepsDeviceMemoryFlat_withoutExplicitReleases() {
    OpenClBackend be = OpenClFixtures.backend();
    Rng rng = new Rng(3);
    Tensor x = Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(32, 8), -1, 1).to(be);
    Tensor y = Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(32, 1), -1, 1).to(be);
    Variable w1 =
        new Variable(
            "mlp/linear_0/w",
            Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(8, 16), -0.5, 0.5).to(be),
            true);
    Variable b1 = new Variable("mlp/linear_0/b", Tensor.zeros(DType.FLOAT32, 16).to(be), true);
    Variable w2 =
        new Variable(
            "mlp/linear_1/w",
            Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(16, 1), -0.5, 0.5).to(be),
            true);
    List<Variable> params = List.of(w1, b1, w2);

    long baseline = 0;
    double first = Double.NaN;
    double loss = Double.NaN;
    for (int step = 0; step < STEPS; step++) {
      List<Tensor> grads;
      try (GradientTape tape = GradientTape.open()) {
        Tensor prediction = x.matmul(w1).add(b1).relu().matmul(w2);
        Tensor l = prediction.sub(y).square().mean();
        loss = l.item();
        grads = tape.gradient(l, params);
      }
      first = step == 0 ? loss : first;
      for (int p = 0; p < params.size(); p++) {
        params.get(p).assignSub(grads.get(p).mul(0.05));
      }
      if (step == WARMUP_STEPS) {
        baseline = settledBytes(be);
      }
    }
    long end = settledBytes(be);
    assertThat(loss).as("the loop trains").isLessThan(first);
    assertThat(end)
        .as("bytes in use after %d steps vs after %d (baseline)", STEPS, WARMUP_STEPS)
        .isLessThanOrEqualTo(baseline + SLACK_BYTES);
  }

  @Test
  void trainingLoop_staysUnderTheCollectionThreshold_withoutAnyManualCollection() {
    OpenClBackend be = OpenClFixtures.backend();
    long threshold = 4L << 20;
    long start = settledBytes(be);
    be.memory().collectThreshold(start + threshold);
    try {
      Rng rng = new Rng(4);
      // Each step allocates about 1 MiB of activations and gradients, 100 MiB over the loop.
      Tensor x = Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(256, 64), -1, 1).to(be);
      Variable w =
          new Variable(
              "linear/w",
              Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(64, 128), -0.1, 0.1).to(be),
              true);
      long peak = 0;
      for (int step = 0; step < 100; step++) {
        Tensor g;
        try (GradientTape tape = GradientTape.open()) {
          Tensor l = x.matmul(w).tanh().square().mean();
          g = tape.gradient(l, List.of(w)).get(0);
        }
        w.assignSub(g.mul(0.01));
        peak = Math.max(peak, be.bytesInUse());
      }
      assertThat(peak - start)
          .as("peak bytes in use above the start")
          .isLessThanOrEqualTo(2 * threshold + (1L << 20));
    } finally {
      be.memory()
          .collectThreshold(
              Math.max(1L << 24, Math.min(1L << 30, be.device().globalMemBytes() / 4)));
    }
  }

  @Test
  void release_freesTheDeviceMemoryAtOnce_andLaterUseFailsClearly() {
    OpenClBackend be = OpenClFixtures.backend();
    long before = be.bytesInUse();
    DeviceBuffer b = be.allocate(DType.FLOAT64, 1000);
    assertThat(be.bytesInUse()).isEqualTo(before + 8000);
    b.release();
    b.release();
    assertThat(be.bytesInUse()).isEqualTo(before);
    assertThat(b.isReleased()).isTrue();
    assertThatThrownBy(() -> be.unary(UnaryKind.NEG, b, be.allocate(DType.FLOAT64, 1000)))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("was released");
  }

  @Test
  void unreachableBuffers_areFreedByTheCleaner() {
    OpenClBackend be = OpenClFixtures.backend();
    long before = settledBytes(be);
    List<DeviceBuffer> held = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      held.add(be.allocate(DType.FLOAT32, 1024));
    }
    assertThat(be.bytesInUse()).isGreaterThanOrEqualTo(before + 100 * 4096);
    held.clear();
    assertThat(settledBytes(be)).isLessThanOrEqualTo(before);
  }

  @Test
  void absurdAllocation_failsNamingTheRequestAndWhatIsInUse() {
    OpenClBackend be = OpenClFixtures.backend();
    assertThatThrownBy(() -> be.allocate(DType.FLOAT32, 1L << 40))
        .isInstanceOf(OpenClOutOfMemoryException.class)
        .hasMessageContaining("out of memory")
        .hasMessageContaining("1099511627776 f32 elements")
        .hasMessageContaining("In use by this process")
        .hasMessageContaining("tensor.release()");
  }

  @Test
  void float64_isSupportedWhereTheDeviceHasIt_orRefusedClearly() {
    OpenClBackend be = OpenClFixtures.backend();
    if (be.deviceName().contains("no fp64")) {
      assertThatThrownBy(() -> be.upload(new double[] {1}))
          .isInstanceOf(OpenClException.class)
          .hasMessageContaining("cl_khr_fp64");
    } else {
      double[] got = new double[1];
      be.download(be.upload(new double[] {1e-300}), got);
      assertThat(got[0]).isEqualTo(1e-300);
    }
  }

  /** Bytes in use once collections stop freeing anything. */
  private static long settledBytes(OpenClBackend be) {
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      be.collectGarbage();
      long now = be.bytesInUse();
      if (now == last) {
        return now;
      }
      last = now;
    }
    return last;
  }
}
