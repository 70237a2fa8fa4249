package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.VECTOR;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.backend.GemmEpilogue.Epilogue;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CpuBackend#gemmEpilogue} against the unfused sequence on the same backend: {@code gemm},
 * then {@code binary ADD} of the bias broadcast over rows, {@code unary RELU}, and {@code
 * where(greater(mask, 0), v, 0)}. The capability promises the very same bits (each step is one IEEE
 * operation on the rounded product), so the comparison is exact. Shapes cover the vector kernel's
 * edges: ragged strips (m not a multiple of 4) and panels, more than one depth block (k > 256) and
 * column block (n > 512), the direct path (m <= 128, k <= 64), k = 0, batches, transposes,
 * accumulation, and 1 to 3 threads. Values are signed so the ReLU and the mask both cut; the mask
 * holds zeros, negatives and NaN.
 */
class GemmEpilogueTest {
  private static final int[][] SHAPES = {
    {1, 1, 1}, {3, 17, 5}, {17, 33, 64}, {100, 96, 100}, {130, 40, 300}, {7, 530, 20}, {5, 9, 0}
  };

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    int seed = 0;
    for (int[] s : SHAPES) {
      for (int t = 0; t < 8; t++) {
        cases.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, (t & 4) != 0, seed++));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} accumulate={5}")
  @MethodSource("cases")
  void float32_fusedIsBitForBitTheUnfusedSequence(
      int m, int n, int k, boolean ta, boolean tb, boolean acc, int seed) {
    for (CpuBackend backend : new CpuBackend[] {VECTOR, SCALAR}) {
      for (int variant = 0; variant < 5; variant++) {
        // The scalar path splits rows, not blocks: one thread count is enough there.
        for (int threads :
            backend.vectorized() ? ThreadCountFixtures.THREAD_COUNTS : new int[] {2}) {
          int v = variant;
          CpuParallel.withThreads(
              threads,
              () -> {
                Problem p = new Problem(backend, DType.FLOAT32, 2, m, n, k, ta, tb, acc, seed);
                Epilogue e = p.epilogue(v);
                DeviceBuffer fused = p.fused(e);
                DeviceBuffer unfused = p.unfused(e);
                assertThat(f32(fused))
                    .as("%s variant %d, %d threads", backend.vectorized(), v, threads)
                    .isEqualTo(f32(unfused));
                return null;
              });
        }
      }
    }
  }

  @Test
  void float64_fusedIsBitForBitTheUnfusedSequence() {
    for (CpuBackend backend : new CpuBackend[] {VECTOR, SCALAR}) {
      for (int variant = 0; variant < 5; variant++) {
        Problem p = new Problem(backend, DType.FLOAT64, 2, 19, 37, 70, false, true, false, variant);
        Epilogue e = p.epilogue(variant);
        assertThat(f64(p.fused(e))).isEqualTo(f64(p.unfused(e)));
      }
    }
  }

  @Test
  void declinesASharedOutputAndIntegerDtypes() {
    GemmSpec shared = new GemmSpec(2, 2, 2, 2, false, 0, 2, 4, false, 0, 2, 4, 0, 2, 0, true);
    DeviceBuffer f = VECTOR.upload(new float[8]);
    DeviceBuffer c = VECTOR.upload(new float[] {1, 2, 3, 4});
    Epilogue relu = Epilogue.biasActivation(null, Activation.RELU);
    assertThat(VECTOR.gemmEpilogue(shared, f, f, c, relu)).isFalse();
    assertThat(f32(c)).containsExactly(1, 2, 3, 4);
    DeviceBuffer i = VECTOR.upload(new int[4]);
    assertThat(VECTOR.gemmEpilogue(GemmSpec.dense(1, 2, 2, 2, 0, 0), i, i, i, relu)).isFalse();
  }

  /** One random product of {@code batch} items with dense C, and its epilogue operands. */
  private static final class Problem {
    final CpuBackend backend;
    final DType dtype;
    final GemmSpec spec;
    final double[] a;
    final double[] b;
    final double[] c;
    final double[] bias;
    final double[] mask;
    final int rows;
    final int n;

    Problem(
        CpuBackend backend,
        DType dtype,
        int batch,
        int m,
        int n,
        int k,
        boolean ta,
        boolean tb,
        boolean acc,
        int seed) {
      this.backend = backend;
      this.dtype = dtype;
      this.rows = batch * m;
      this.n = n;
      Random r = new Random(seed);
      a = signed(r, batch * m * k);
      b = signed(r, batch * k * n);
      c = signed(r, batch * m * n);
      bias = signed(r, n);
      mask = signed(r, batch * m * n);
      for (int i = 0; i < mask.length; i += 7) {
        mask[i] = i % 3 == 0 ? 0 : Double.NaN;
      }
      spec =
          new GemmSpec(
              batch,
              m,
              n,
              k,
              ta,
              0,
              ta ? m : k,
              (long) m * k,
              tb,
              0,
              tb ? k : n,
              (long) k * n,
              0,
              n,
              (long) m * n,
              acc);
    }

    private static double[] signed(Random r, int size) {
      double[] x = new double[size];
      for (int i = 0; i < size; i++) x[i] = r.nextGaussian();
      return x;
    }

    DeviceBuffer up(double[] x) {
      if (dtype == DType.FLOAT64) {
        return backend.upload(x.clone());
      }
      float[] f = new float[x.length];
      for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
      return backend.upload(f);
    }

    /** 0: bias + relu, 1: bias, 2: relu, 3: mask, 4: all three. */
    Epilogue epilogue(int variant) {
      DeviceBuffer bb = variant == 2 || variant == 3 ? null : up(bias);
      Activation act = variant == 0 || variant == 2 || variant == 4 ? Activation.RELU : null;
      DeviceBuffer mb = variant >= 3 ? up(mask) : null;
      return new Epilogue(bb, act == null ? Activation.NONE : act, mb);
    }

    DeviceBuffer fused(Epilogue e) {
      DeviceBuffer out = up(c);
      assertThat(backend.gemmEpilogue(spec, up(a), up(b), out, e)).isTrue();
      return out;
    }

    DeviceBuffer unfused(Epilogue e) {
      DeviceBuffer out = up(c);
      backend.gemm(spec, up(a), up(b), out);
      int[] shape = {rows, n};
      long[] dense = {n, 1};
      if (e.bias() != null) {
        DeviceBuffer next = backend.allocate(dtype, (long) rows * n);
        backend.binary(BinaryKind.ADD, out, dense, e.bias(), new long[] {0, 1}, next, shape);
        out = next;
      }
      if (e.activation() == Activation.RELU) {
        DeviceBuffer next = backend.allocate(dtype, (long) rows * n);
        backend.unary(UnaryKind.RELU, out, next);
        out = next;
      }
      if (e.reluMask() != null) {
        DeviceBuffer zero = up(new double[1]);
        DeviceBuffer on = backend.allocate(DType.BOOL, (long) rows * n);
        backend.binary(BinaryKind.GREATER, e.reluMask(), dense, zero, new long[2], on, shape);
        DeviceBuffer next = backend.allocate(dtype, (long) rows * n);
        backend.where(on, dense, out, dense, zero, new long[2], next, shape);
        out = next;
      }
      return out;
    }
  }
}
