package dev.sonnet.conformance.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.sonnet.initializers.Identity;
import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.initializers.Orthogonal;
import dev.sonnet.initializers.VarianceScaling;
import dev.sonnet.initializers.VarianceScaling.Distribution;
import dev.sonnet.initializers.VarianceScaling.Mode;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The initializers' values: statistics of the random ones, exact structure of the others, and
 * reproducibility.
 *
 * <p>Statistical tolerances: with {@code n} samples the sample standard deviation has a relative
 * standard error of about {@code 1 / sqrt(2n)}; the tests use {@code n >= 60,000}, so that error is
 * below 0.3% and the 2% bound used is more than six standard errors away: a wrong formula (a
 * missing truncation factor is 12%, a wrong fan 30% or more) fails, chance does not.
 */
class InitializersConformanceTest {
  private static double[] sample(Initializer init, int... shape) {
    return init.apply(Shape.of(shape), DType.FLOAT64, new Rng(7)).toDoubleArray();
  }

  private static double std(double[] v) {
    double mean = 0;
    for (double x : v) {
      mean += x;
    }
    mean /= v.length;
    double s = 0;
    for (double x : v) {
      s += (x - mean) * (x - mean);
    }
    return Math.sqrt(s / v.length);
  }

  @Test
  void varianceScaling_fanIn_truncatedNormal_hasTheRequestedStddevWithinTwoSigma() {
    double[] v =
        sample(new VarianceScaling(2.0, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL), 400, 300);
    double target = Math.sqrt(2.0 / 400);
    assertThat(std(v)).isCloseTo(target, offset(0.02 * target));
    double bound = 2 * target / VarianceScaling.TRUNCATION_STDDEV;
    for (double x : v) {
      assertThat(Math.abs(x)).isLessThanOrEqualTo(bound * (1 + 1e-12));
    }
  }

  @Test
  void varianceScaling_fanOut_untruncatedNormal_hasTheRequestedStddev() {
    double[] v =
        sample(new VarianceScaling(1.0, Mode.FAN_OUT, Distribution.UNTRUNCATED_NORMAL), 300, 400);
    double target = Math.sqrt(1.0 / 400);
    assertThat(std(v)).isCloseTo(target, offset(0.02 * target));
  }

  @Test
  void varianceScaling_fanAvg_uniform_onAConvKernel_usesTheReceptiveField() {
    // [3, 3, 64, 128]: fanIn = 9 * 64 = 576, fanOut = 9 * 128 = 1152, average 864
    double[] v = sample(Initializers.glorotUniform(), 3, 3, 64, 128);
    double limit = Math.sqrt(3.0 / 864);
    for (double x : v) {
      assertThat(x).isBetween(-limit, limit);
    }
    assertThat(std(v)).isCloseTo(Math.sqrt(1.0 / 864), offset(0.02 * Math.sqrt(1.0 / 864)));
  }

  @Test
  void orthogonal_tallMatrix_hasOrthonormalColumns() {
    assertOrthonormal(sample(new Orthogonal(), 50, 20), 50, 20, 1.0, true);
  }

  @Test
  void orthogonal_wideMatrix_hasOrthonormalRowsTimesTheGain() {
    assertOrthonormal(sample(new Orthogonal(2.0), 20, 50), 20, 50, 2.0, false);
  }

  @Test
  void orthogonal_convKernel_isOrthogonalAsPrefixRowsByChannels() {
    // [3, 3, 4, 8] is a 36 x 8 matrix: tall, orthonormal columns
    assertOrthonormal(sample(new Orthogonal(), 3, 3, 4, 8), 36, 8, 1.0, true);
  }

  private static void assertOrthonormal(
      double[] m, int rows, int cols, double gain, boolean columns) {
    int n = columns ? cols : rows;
    int len = columns ? rows : cols;
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        double dot = 0;
        for (int k = 0; k < len; k++) {
          double x = columns ? m[k * cols + a] : m[a * cols + k];
          double y = columns ? m[k * cols + b] : m[b * cols + k];
          dot += x * y;
        }
        assertThat(dot).as("<%d, %d>", a, b).isCloseTo(a == b ? gain * gain : 0, offset(1e-10));
      }
    }
  }

  @Test
  void identity_isABatchOfEyes_rectangularOnTheMainDiagonal() {
    double[] v = sample(new Identity(3), 2, 2, 3);
    assertThat(v).containsExactly(3, 0, 0, 0, 3, 0, 3, 0, 0, 0, 3, 0);
    assertThat(Initializers.identity().apply(Shape.of(2, 2), DType.INT32, new Rng(0)).toIntArray())
        .containsExactly(1, 0, 0, 1);
  }

  @Test
  void identity_ofAVector_failsWithTheRule() {
    assertThatThrownBy(() -> sample(new Identity(), 4)).hasMessageContaining("rank 2 or more");
  }

  @Test
  void sameRngSeed_givesTheSameValues_anotherSeedOthers() {
    Initializer init = new Orthogonal();
    double[] a = init.apply(Shape.of(5, 5), DType.FLOAT64, new Rng(1)).toDoubleArray();
    double[] b = init.apply(Shape.of(5, 5), DType.FLOAT64, new Rng(1)).toDoubleArray();
    double[] c = init.apply(Shape.of(5, 5), DType.FLOAT64, new Rng(2)).toDoubleArray();
    assertThat(a).containsExactly(b);
    assertThat(a).isNotEqualTo(c);
    Initializer seeded = Initializers.heNormal().seeded(9);
    assertThat(seeded.apply(Shape.of(4), DType.FLOAT32, new Rng(1)).toFloatArray())
        .containsExactly(seeded.apply(Shape.of(4), DType.FLOAT32, new Rng(2)).toFloatArray());
  }

  @Test
  void float32Request_givesFloat32Values() {
    Tensor t = new Orthogonal().apply(Shape.of(3, 3), DType.FLOAT32, new Rng(0));
    assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(t.shape()).isEqualTo(Shape.of(3, 3));
  }

  @Test
  void randomInitializers_onIntegers_failNamingTheAlternative() {
    assertThatThrownBy(() -> new VarianceScaling().apply(Shape.of(2, 2), DType.INT32, new Rng(0)))
        .hasMessageContaining("use zeros(), ones() or constant(v)");
  }
}
