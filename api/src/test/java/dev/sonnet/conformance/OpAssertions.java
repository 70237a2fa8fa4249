package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import org.assertj.core.data.Offset;

/** Value assertions shared by the op conformance tests. */
final class OpAssertions {
  /**
   * Tolerance for float64 forward results compared with hand-derived or {@link Math} values: a few
   * ulps of O(1) results, with room for the reassociation a vectorised or blocked kernel may do
   * over sums of up to ~100 terms (100 * 2.2e-16 ~ 2e-14).
   */
  static final double F64 = 1e-12;

  private OpAssertions() {}

  /** Asserts shape and values of {@code t} (read as doubles) within {@code tol}. */
  static void assertValuesWithin(Tensor t, Shape shape, double tol, double... expected) {
    assertThat(t.shape()).as("shape").isEqualTo(shape);
    double[] actual = t.toDoubleArray();
    assertThat(actual).as("element count").hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      if (Double.isNaN(expected[i])) {
        assertThat(actual[i]).as("element %d", i).isNaN();
      } else if (Double.isInfinite(expected[i])) {
        assertThat(actual[i]).as("element %d", i).isEqualTo(expected[i]);
      } else {
        assertThat(actual[i])
            .as("element %d of %s", i, shape)
            .isCloseTo(expected[i], Offset.offset(tol * Math.max(1, Math.abs(expected[i]))));
      }
    }
  }

  /** Asserts float64 values within {@link #F64}. */
  static void assertValues(Tensor t, Shape shape, double... expected) {
    assertValuesWithin(t, shape, F64, expected);
  }

  /** {@code n} alternating-sign values of magnitude in [0.2, 2), away from 0 (kinks). */
  static Tensor awayFromZero(long seed, int... shape) {
    double[] v = GradientCheck.uniform(seed, 0.2, 2.0, shape).toDoubleArray();
    for (int i = 0; i < v.length; i += 2) {
      v[i] = -v[i];
    }
    return Tensor.of(v, shape);
  }
}
