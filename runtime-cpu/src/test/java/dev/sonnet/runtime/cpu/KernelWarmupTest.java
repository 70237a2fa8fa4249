package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.FusedUpdate.Rule;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.backend.GemmEpilogue.Epilogue;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.DType;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The background kernel warm-up: it ends, leaves nothing in the array pools, touches no one else's
 * buffers, and the property turns it off. (Whether it speeds a fresh JVM's first steps is measured
 * by the samples' {@code WarmupProbe}, not here.)
 */
@Isolated // reads the shared CpuArrayPool's size
class KernelWarmupTest {
  private final CpuBackend backend = new CpuBackend(true);

  @Test
  void warmupThreadEnds() throws InterruptedException {
    Thread t = new Thread(new KernelWarmup(backend, 3, 5, () -> false), "warm-up under test");
    t.setDaemon(true);
    t.start();
    // A liveness bound, not a timing: a few rounds of small problems.
    t.join(TimeUnit.MINUTES.toMillis(2));
    assertThat(t.isAlive()).isFalse();
  }

  @Test
  void leavesNoPooledMemoryBehind() {
    CpuArrayPool.clear();
    ThreadArrayCache.clearThisThread();
    // On this thread, so that this thread's small-array cache is the one a leak would fill.
    new KernelWarmup(backend, 3, 5, () -> false).run();
    assertThat(CpuArrayPool.retainedBytes()).isZero();
    assertThat(ThreadArrayCache.bytesOfThisThread()).isZero();
  }

  @Test
  void leavesOtherBuffersAndResultsAlone() {
    int m = 16;
    int n = 64;
    int k = 40;
    CpuBuffer a = filled(m * k, 1);
    CpuBuffer b = filled(k * n, 2);
    CpuBuffer bias = filled(n, 3);
    CpuBuffer before = CpuBuffer.allocate(backend, DType.FLOAT32, m * n);
    GemmSpec spec = GemmSpec.dense(1, m, n, k, 0, 0);
    Epilogue relu = Epilogue.biasActivation(bias, Activation.RELU);
    backend.gemmEpilogue(spec, a, b, before, relu);
    float[] aCopy = a.f32().clone();
    CpuBuffer[] in = {filled(m * n, 4), before};
    CpuBuffer[] out = {CpuBuffer.allocate(backend, DType.FLOAT32, m * n)};
    backend.fusedUpdate(Rule.SGD, new double[] {0.1}, in, out, m * n);
    float[] updated = out[0].f32().clone();

    new KernelWarmup(backend, 3, 5, () -> false).run();

    assertThat(a.f32()).containsExactly(aCopy);
    CpuBuffer after = CpuBuffer.allocate(backend, DType.FLOAT32, m * n);
    backend.gemmEpilogue(spec, a, b, after, relu);
    assertThat(after.f32()).containsExactly(before.f32());
    in[1] = after;
    backend.fusedUpdate(Rule.SGD, new double[] {0.1}, in, out, m * n);
    assertThat(out[0].f32()).containsExactly(updated);
  }

  @Test
  void propertyTurnsItOff() {
    String previous = System.getProperty(KernelWarmup.PROPERTY);
    try {
      System.setProperty(KernelWarmup.PROPERTY, "false");
      assertThat(KernelWarmup.enabled()).isFalse();
      assertThat(KernelWarmup.wanted(backend)).isFalse();
      System.setProperty(KernelWarmup.PROPERTY, "true");
      assertThat(KernelWarmup.enabled()).isTrue();
      assertThat(KernelWarmup.wanted(backend)).isEqualTo(backend.vectorized());
    } finally {
      if (previous == null) {
        System.clearProperty(KernelWarmup.PROPERTY);
      } else {
        System.setProperty(KernelWarmup.PROPERTY, previous);
      }
    }
  }

  @Test
  void scalarBackendNeverWantsIt() {
    assertThat(KernelWarmup.wanted(new CpuBackend(false))).isFalse();
  }

  /**
   * Off by default: vector backends made without the property start no thread. (Starting it here
   * would leave a warm-up running beside the other tests of this JVM, which is why it is opt-in.)
   */
  @Test
  void startsNothingUnlessAsked() {
    assertThat(System.getProperty(KernelWarmup.PROPERTY)).isNull();
    new CpuBackend(true);
    new CpuBackend(true);
    assertThat(KernelWarmup.started()).isNull();
  }

  @Test
  void countsRoundsWhereAllocationIsUnknown() {
    int[] calls = {0};
    WarmupRounds rounds = new WarmupRounds(2, 100, 7, Long.MAX_VALUE / 4, null, () -> false);
    assertThat(rounds.phase(r -> calls[0]++, 0)).isEqualTo(7);
    assertThat(calls[0]).isEqualTo(7);
  }

  @Test
  void endsAPhaseOnceRoundsStopAllocating() {
    long[] allocated = {0};
    // Rounds 0..9 "allocate" 1 MB each, then nothing: the phase ends SETTLED_ROUNDS rounds later.
    WarmupRounds rounds =
        new WarmupRounds(5, 10_000, 0, Long.MAX_VALUE / 4, () -> allocated[0], () -> false);
    int ran = rounds.phase(r -> allocated[0] += r < 10 ? 1 << 20 : 0, 1024);
    assertThat(ran).isEqualTo(10 + WarmupRounds.SETTLED_ROUNDS);
  }

  @Test
  void stopsWhenTold() {
    int[] calls = {0};
    WarmupRounds rounds =
        new WarmupRounds(100, 10_000, 10_000, Long.MAX_VALUE / 4, () -> 0L, () -> calls[0] >= 3);
    assertThat(rounds.phase(r -> calls[0]++, 0)).isEqualTo(3);
  }

  @Test
  void anApplicationsOptimizerStepEndsTheWarmup() {
    backend.fusedUpdate(
        Rule.SGD,
        new double[] {0.1},
        new CpuBuffer[] {filled(4, 1), filled(4, 2)},
        new CpuBuffer[] {CpuBuffer.allocate(backend, DType.FLOAT32, 4)},
        4);
    assertThat(KernelWarmup.applicationTraining()).isTrue();
  }

  private CpuBuffer filled(int n, int seed) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = ((i * 31 + seed * 7) % 23 - 11) / 8f;
    return new CpuBuffer(backend, DType.FLOAT32, v, n);
  }
}
