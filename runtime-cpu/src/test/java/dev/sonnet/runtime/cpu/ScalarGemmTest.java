package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.DType;
import org.junit.jupiter.api.Test;

/** The reference matrix product on small hand-computed cases covering every GemmSpec field. */
class ScalarGemmTest {
  // A = [[1, 2, 3], [4, 5, 6]] (2x3), B = [[1, 0], [0, 1], [1, 1]] (3x2): A B = [[4, 5], [10, 11]]
  private static final double[] A = {1, 2, 3, 4, 5, 6};
  private static final double[] A_T = {1, 4, 2, 5, 3, 6};
  private static final double[] B = {1, 0, 0, 1, 1, 1};
  private static final double[] B_T = {1, 0, 1, 0, 1, 1};

  @Test
  void dense_multipliesRowMajorMatrices() {
    assertThat(run(GemmSpec.dense(1, 2, 2, 3, 0, 0), A, B, new double[4]))
        .containsExactly(4, 5, 10, 11);
  }

  @Test
  void transposedOperands_readTheStoredTranspose() {
    GemmSpec s = new GemmSpec(1, 2, 2, 3, true, 0, 2, 0, true, 0, 3, 0, 0, 2, 0, false);
    assertThat(run(s, A_T, B_T, new double[4])).containsExactly(4, 5, 10, 11);
  }

  @Test
  void offsetsAndLeadingDimensions_addressSubmatrices() {
    // A padded to rows of 4 after a 1-element offset; C written into a 2x3 block at offset 2.
    double[] a = {9, 1, 2, 3, 9, 4, 5, 6, 9};
    GemmSpec s = new GemmSpec(1, 2, 2, 3, false, 1, 4, 0, false, 0, 2, 0, 2, 3, 0, false);
    assertThat(run(s, a, B, new double[] {7, 7, 7, 7, 7, 7, 7, 7}))
        .containsExactly(7, 7, 4, 5, 7, 10, 11, 7);
  }

  @Test
  void batchStrideZero_broadcastsB_andAccumulateAdds() {
    double[] a = {1, 2, 3, 4, 5, 6, /* item 2: */ 1, 1, 1, 0, 0, 0};
    GemmSpec s = new GemmSpec(2, 2, 2, 3, false, 0, 3, 6, false, 0, 2, 0, 0, 2, 4, true);
    double[] c = {1, 1, 1, 1, 0, 0, 0, 0};
    assertThat(run(s, a, B, c)).containsExactly(5, 6, 11, 12, 2, 2, 0, 0);
  }

  @Test
  void zeroInnerDimension_writesZerosUnlessAccumulating() {
    GemmSpec s = GemmSpec.dense(1, 1, 2, 0, 0, 0);
    assertThat(run(s, new double[0], new double[0], new double[] {3, 3})).containsExactly(0, 0);
  }

  @Test
  void float32_roundsADoubleAccumulationOnce() {
    // 1 + 2^-24 * 2 in float steps would lose both small terms; in double it rounds to 1 + 2^-23.
    float[] a = {1, 1, 1};
    float[] b = {1, 0x1p-24f, 0x1p-24f};
    DeviceBuffer c = SCALAR.allocate(DType.FLOAT32, 1);
    SCALAR.gemm(GemmSpec.dense(1, 1, 1, 3, 0, 0), SCALAR.upload(a), SCALAR.upload(b), c);
    assertThat(f32(c)).containsExactly(1 + 0x1p-23f);
  }

  @Test
  void integerOperands_areRejected() {
    assertThatThrownBy(
            () ->
                SCALAR.gemm(
                    GemmSpec.dense(1, 1, 1, 1, 0, 0),
                    SCALAR.upload(new int[] {1}),
                    SCALAR.upload(new int[] {1}),
                    SCALAR.allocate(DType.INT32, 1)))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("FLOAT32 or FLOAT64");
  }

  private static double[] run(GemmSpec s, double[] a, double[] b, double[] c) {
    DeviceBuffer cb = SCALAR.upload(c);
    SCALAR.gemm(s, SCALAR.upload(a), SCALAR.upload(b), cb);
    return f64(cb);
  }
}
