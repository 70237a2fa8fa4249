package dev.sonnet.runtime.cpu.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;

/** Element-by-element comparison of an ONNX Runtime result with the library's. */
final class Closeness {
  /** Unit roundoff of float32, {@code 2^-24}. */
  static final double U = Math.ulp(1f) / 2;

  private Closeness() {}

  /**
   * Same dtype and shape, integers and bools equal, NaN where NaN is expected, and each float
   * within {@code tol.rel() * |expected| + tol.abs()}.
   */
  static void assertClose(String what, Tensor got, Tensor expected, Tolerance tol) {
    assertThat(got.dtype()).as("%s dtype", what).isEqualTo(expected.dtype());
    assertThat(got.shape()).as("%s shape", what).isEqualTo(expected.shape());
    double[] g = got.cast(DType.FLOAT64).toDoubleArray();
    double[] e = expected.cast(DType.FLOAT64).toDoubleArray();
    if (!expected.dtype().isFloating()) {
      assertThat(g).as(what).containsExactly(e);
      return;
    }
    for (int i = 0; i < e.length; i++) {
      if (Double.isNaN(e[i])) {
        assertThat(g[i]).as("%s element %d", what, i).isNaN();
        continue;
      }
      double bound = tol.rel() * Math.abs(e[i]) + tol.abs();
      assertThat(Math.abs(g[i] - e[i]))
          .as("%s element %d: got %s, expected %s", what, i, g[i], e[i])
          .isLessThanOrEqualTo(bound);
    }
  }
}
