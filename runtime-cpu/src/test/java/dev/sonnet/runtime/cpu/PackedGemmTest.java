package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.VECTOR;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.backend.GemmEpilogue.Epilogue;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.DType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A product's right operand packed once ({@link CpuBackend#packRightOperand}) and reused ({@link
 * CpuBackend#gemmEpiloguePacked}) against the same product packing it per call ({@link
 * CpuBackend#gemmEpilogue}): the same panels in the same order, so the same bits, compared exactly.
 * Shapes cover ragged strips and panels (m, n not multiples of 4 and 32), several depth blocks (k >
 * 256, with a short last one) and column blocks (n > 512, where a thread's columns start inside a
 * block), in-place and packed A (m up to and past 128), row-major and transposed B, with and
 * without bias and ReLU, on 1 to 3 threads; one packed copy serves several batch sizes.
 */
class PackedGemmTest {
  private static final int[][] KN = {{1, 1}, {17, 33}, {300, 100}, {784, 1024}, {70, 530}, {9, 31}};
  private static final int[] M = {5, 8, 37, 100, 128, 131};

  private static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  private static GemmSpec spec(int m, int n, int k, boolean transB) {
    return new GemmSpec(1, m, n, k, false, 0, k, 0, transB, 0, transB ? k : n, 0, 0, n, 0, false);
  }

  @Test
  void packedProduct_isBitForBitTheProductThatPacksPerCall() {
    Random r = new Random(7);
    for (int[] kn : KN) {
      int k = kn[0];
      int n = kn[1];
      for (boolean transB : new boolean[] {false, true}) {
        DeviceBuffer b = VECTOR.upload(random(r, k * n));
        DeviceBuffer packed = VECTOR.packRightOperand(spec(M[0], n, k, transB), b);
        assertThat(packed).isNotNull();
        DeviceBuffer bias = VECTOR.upload(random(r, n));
        for (int m : M) {
          GemmSpec s = spec(m, n, k, transB);
          DeviceBuffer a = VECTOR.upload(random(r, m * k));
          for (Epilogue e :
              new Epilogue[] {
                Epilogue.biasActivation(null, Activation.NONE),
                Epilogue.biasActivation(bias, Activation.RELU)
              }) {
            for (int threads : ThreadCountFixtures.THREAD_COUNTS) {
              float[][] out =
                  CpuParallel.withThreads(
                      threads,
                      () -> {
                        DeviceBuffer c1 = VECTOR.upload(new float[m * n]);
                        DeviceBuffer c2 = VECTOR.upload(new float[m * n]);
                        assertThat(VECTOR.gemmEpilogue(s, a, b, c1, e)).isTrue();
                        assertThat(VECTOR.gemmEpiloguePacked(s, a, packed, c2, e)).isTrue();
                        return new float[][] {f32(c1), f32(c2)};
                      });
              assertThat(out[1])
                  .as("m=%d n=%d k=%d transB=%s %s, %d threads", m, n, k, transB, e, threads)
                  .isEqualTo(out[0]);
            }
          }
        }
      }
    }
  }

  /** A packed copy is a copy: zeroing the original afterwards does not change the product. */
  @Test
  void packedCopy_doesNotSeeLaterWritesToTheOriginal() {
    Random r = new Random(8);
    int m = 9;
    int n = 40;
    int k = 20;
    float[] bValues = random(r, k * n);
    DeviceBuffer b = VECTOR.upload(bValues);
    GemmSpec s = spec(m, n, k, false);
    DeviceBuffer packed = VECTOR.packRightOperand(s, b);
    DeviceBuffer a = VECTOR.upload(random(r, m * k));
    Epilogue none = Epilogue.biasActivation(null, Activation.NONE);
    DeviceBuffer before = VECTOR.upload(new float[m * n]);
    VECTOR.gemmEpilogue(s, a, b, before, none);
    VECTOR.fill(b, 0);
    DeviceBuffer after = VECTOR.upload(new float[m * n]);
    assertThat(VECTOR.gemmEpiloguePacked(s, a, packed, after, none)).isTrue();
    assertThat(f32(after)).isEqualTo(f32(before));
  }

  @Test
  void declinesWhatItHasNoPackedKernelFor() {
    Random r = new Random(9);
    GemmSpec s = spec(8, 40, 20, false);
    DeviceBuffer b = VECTOR.upload(random(r, 800));
    DeviceBuffer packed = VECTOR.packRightOperand(s, b);
    Epilogue none = Epilogue.biasActivation(null, Activation.NONE);
    DeviceBuffer c = VECTOR.upload(new float[4 * 40]);
    assertThat(
            VECTOR.gemmEpiloguePacked(
                spec(4, 40, 20, false), VECTOR.upload(random(r, 80)), packed, c, none))
        .as("four rows: the small-row kernel serves them")
        .isFalse();
    assertThat(f32(c)).containsOnly(0f);
    DeviceBuffer wrong = VECTOR.upload(new float[33]);
    assertThat(
            VECTOR.gemmEpiloguePacked(
                s, VECTOR.upload(random(r, 160)), wrong, VECTOR.upload(new float[320]), none))
        .as("a packed buffer of the wrong length")
        .isFalse();
    assertThat(SCALAR.packRightOperand(s, SCALAR.upload(random(r, 800))))
        .as("scalar backend")
        .isNull();
    assertThat(VECTOR.packRightOperand(s, VECTOR.allocate(DType.FLOAT64, 800)))
        .as("float64")
        .isNull();
    assertThat(VECTOR.packRightOperand(spec(4, 40, 20, false), b))
        .as("a product of four rows: declined, so a later larger one still packs")
        .isNull();
    GemmSpec batched =
        new GemmSpec(2, 8, 40, 20, false, 0, 20, 160, false, 0, 40, 800, 0, 40, 320, false);
    assertThat(VECTOR.packRightOperand(batched, VECTOR.upload(random(r, 1600))))
        .as("two items")
        .isNull();
  }
}
