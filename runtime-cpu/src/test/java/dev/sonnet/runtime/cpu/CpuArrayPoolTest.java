package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The reuse of released arrays by {@link CpuBackend#allocateUninitialized}: what may be reused, and
 * above all what never is (a shared buffer's array while a holder can still read it, one array
 * twice, a pooled array from the zero-filling {@code allocate}).
 */
@Isolated
class CpuArrayPoolTest {
  private static final int N = CpuArrayPool.MIN_ELEMENTS;
  private final CpuBackend backend = new CpuBackend();

  @BeforeEach
  @AfterEach
  void emptyPool() {
    CpuArrayPool.clear();
    ThreadArrayCache.clearThisThread();
  }

  private static Object arrayOf(DeviceBuffer b) {
    return CpuBuffer.of(b).array();
  }

  @Test
  void releasedArray_isReusedForTheSameDtypeAndLength() {
    DeviceBuffer a = backend.allocateUninitialized(DType.FLOAT32, N);
    Object array = arrayOf(a);
    a.release();
    DeviceBuffer b = backend.allocateUninitialized(DType.FLOAT32, N);
    assertThat(arrayOf(b)).isSameAs(array);
    assertThat(a.isReleased()).isTrue();
    assertThat(b.isReleased()).isFalse();
  }

  @Test
  void otherDtypeOrLength_getsAFreshArray() {
    DeviceBuffer a = backend.allocateUninitialized(DType.FLOAT32, N);
    Object array = arrayOf(a);
    a.release();
    assertThat(arrayOf(backend.allocateUninitialized(DType.INT32, N))).isNotSameAs(array);
    assertThat(arrayOf(backend.allocateUninitialized(DType.FLOAT32, N + 1))).isNotSameAs(array);
  }

  @Test
  void allocate_mayReuseAPooledArray_butAlwaysZeroFillsIt() {
    for (int n : new int[] {N, 16}) {
      DeviceBuffer a = backend.allocateUninitialized(DType.FLOAT64, n);
      backend.fill(a, 7);
      a.release();
      DeviceBuffer z = backend.allocate(DType.FLOAT64, n);
      assertThat(KernelFixtures.f64(z)).as("n = %d", n).containsOnly(0.0);
    }
  }

  @Test
  void upload_copiesIntoAPooledArray_neverAliasesTheCallersArray() {
    float[] data = {1, 2, 3};
    DeviceBuffer a = backend.allocateUninitialized(DType.FLOAT32, 3);
    Object pooled = arrayOf(a);
    a.release();
    DeviceBuffer up = backend.upload(data);
    assertThat(arrayOf(up)).isSameAs(pooled).isNotSameAs(data);
    data[0] = 9;
    assertThat(KernelFixtures.f32(up)).containsExactly(1, 2, 3);
  }

  @Test
  void smallArrays_areReusedOnTheReleasingThreadOnly() throws Exception {
    DeviceBuffer a = backend.allocateUninitialized(DType.FLOAT32, 16);
    Object array = arrayOf(a);
    a.release();
    assertThat(CpuArrayPool.retainedBytes()).isZero();
    assertThat(ThreadArrayCache.bytesOfThisThread()).isEqualTo(64);
    Object[] onOtherThread = new Object[1];
    Thread other =
        new Thread(
            () -> onOtherThread[0] = arrayOf(backend.allocateUninitialized(DType.FLOAT32, 16)));
    other.start();
    other.join();
    assertThat(onOtherThread[0]).isNotSameAs(array);
    assertThat(arrayOf(backend.allocateUninitialized(DType.FLOAT32, 16))).isSameAs(array);
    assertThat(ThreadArrayCache.bytesOfThisThread()).isZero();
  }

  @Test
  void threadCache_keepsAtMostDepthArraysPerKey_andAtMostSlotsKeys() {
    IdentityHashMap<Object, Boolean> released = new IdentityHashMap<>();
    List<DeviceBuffer> buffers = new ArrayList<>();
    for (int i = 0; i < ThreadArrayCache.DEPTH + 3; i++) {
      buffers.add(backend.allocateUninitialized(DType.INT32, 10));
    }
    // More distinct lengths than slots: the table must neither loop nor exceed its bounds.
    int lengths = ThreadArrayCache.SLOTS + 10;
    for (int len = 1; len <= lengths; len++) {
      buffers.add(backend.allocateUninitialized(DType.FLOAT64, len));
    }
    buffers.forEach(b -> released.put(arrayOf(b), true));
    buffers.forEach(DeviceBuffer::release);

    IdentityHashMap<Object, Boolean> handedOut = new IdentityHashMap<>();
    int reusedInts = 0;
    for (int i = 0; i < ThreadArrayCache.DEPTH + 3; i++) {
      Object array = arrayOf(backend.allocateUninitialized(DType.INT32, 10));
      assertThat(handedOut.put(array, true)).as("handed out twice").isNull();
      reusedInts += released.containsKey(array) ? 1 : 0;
    }
    assertThat(reusedInts).isEqualTo(ThreadArrayCache.DEPTH);
    int reusedKeys = 0;
    for (int len = 1; len <= lengths; len++) {
      reusedKeys +=
          released.containsKey(arrayOf(backend.allocateUninitialized(DType.FLOAT64, len))) ? 1 : 0;
    }
    assertThat(reusedKeys).isEqualTo(ThreadArrayCache.SLOTS - 1); // one slot holds the int key
    assertThat(ThreadArrayCache.bytesOfThisThread()).isZero();
  }

  @Test
  void releasingTwice_poolsTheArrayOnce() {
    DeviceBuffer a = backend.allocateUninitialized(DType.FLOAT32, N);
    a.release();
    a.release();
    Object first = arrayOf(backend.allocateUninitialized(DType.FLOAT32, N));
    Object second = arrayOf(backend.allocateUninitialized(DType.FLOAT32, N));
    assertThat(first).isNotSameAs(second);
  }

  @Test
  void concurrentReleases_poolTheArrayOnce() throws Exception {
    for (int round = 0; round < 50; round++) {
      CpuArrayPool.clear();
      DeviceBuffer a = backend.allocateUninitialized(DType.FLOAT32, N);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread th =
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  a.release();
                });
        th.start();
        threads.add(th);
      }
      go.countDown();
      for (Thread th : threads) {
        th.join();
      }
      IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
      for (int i = 0; i < CpuArrayPool.PER_KEY; i++) {
        assertThat(seen.put(arrayOf(backend.allocateUninitialized(DType.FLOAT32, N)), true))
            .as("an array handed out twice")
            .isNull();
      }
    }
  }

  @Test
  void reshapeSharesTheBuffer_soReleaseReachesEveryHolder() {
    Tensor t = Tensor.wrap(backend.allocateUninitialized(DType.FLOAT32, N), Shape.of(N));
    Tensor view = Tensor.wrap(t.buffer(), Shape.of(2, N / 2));
    backend.fill(t.buffer(), 3);
    t.release();
    DeviceBuffer reused = backend.allocateUninitialized(DType.FLOAT32, N);
    backend.fill(reused, 5);
    // The view holds the released buffer: it fails loudly instead of seeing the new owner's data.
    assertThatThrownBy(view::buffer)
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("released");
    assertThatThrownBy(() -> CpuBuffer.of(view.buffer()).f32()).isInstanceOf(SonnetException.class);
  }

  @Test
  void reusedOutput_isFullyOverwrittenByTheKernel() {
    DeviceBuffer a = backend.upload(new float[N]);
    backend.fill(a, 1);
    DeviceBuffer b = backend.upload(new float[N]);
    backend.fill(b, 2);
    DeviceBuffer garbage = backend.allocateUninitialized(DType.FLOAT32, N);
    backend.fill(garbage, Float.NaN);
    garbage.release();
    DeviceBuffer out = backend.allocateUninitialized(DType.FLOAT32, N);
    backend.binary(BinaryKind.ADD, a, new long[] {1}, b, new long[] {1}, out, new int[] {N});
    assertThat(KernelFixtures.f32(out)).containsOnly(3f);
  }

  @Test
  void pool_respectsThePerKeyLimit() {
    List<DeviceBuffer> bufs = new ArrayList<>();
    for (int i = 0; i < CpuArrayPool.PER_KEY + 3; i++) {
      bufs.add(backend.allocateUninitialized(DType.FLOAT32, N));
    }
    bufs.forEach(DeviceBuffer::release);
    assertThat(CpuArrayPool.retainedBytes()).isLessThanOrEqualTo(4L * N * CpuArrayPool.PER_KEY);
  }
}
