package dev.sonnet.conformance.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.tensor.Tensor;

/** Comparisons of a graph's outputs with eager ones, with the tolerances reasoned once. */
final class Expect {
  /**
   * The loaded function against eager mode on the same input: the graph runs the traced primitives
   * in eager order, but after the inference optimizer, whose fused products (matmul or conv + bias
   * + activation) may take another kernel path than eager code did for the same layer (eager
   * `Linear` + ReLU is fused on the CPU, eager matmul + add + sigmoid is not), and another
   * summation order within a product is then possible: up to about k·u·Σ|a||b| for a k-deep
   * product, a few float32 ulps per output at these sizes (k <= a few hundred, values O(1)). 1e-5
   * is ~100 ulps at magnitude 1, far below any real error (a wrong weight, a lost bias), which is
   * of the order of the outputs. On the CPU the optimizer's Winograd convolutions (3x3, stride 1,
   * at least 8 channels) regroup each convolution's sum through exact-coefficient transforms: a few
   * more roundings per term (C + 16 in all) over a magnitude up to about 7x the direct sum's, the
   * same order of noise (conv outputs measured within 5 ulps of {@code Σ|x||w|}); the worst-case
   * bound is checked on its own in {@code WinogradInferenceTest}.
   */
  static final double SAME_OPS = 1e-5;

  private Expect() {}

  /**
   * Every output of the loaded {@code graph} against the eager {@code function}'s, on {@code in}.
   */
  static void sameOutputs(
      dev.sonnet.export.GraphFunction graph,
      dev.sonnet.export.TensorFunction function,
      Tensor... in) {
    Tensor[] got = graph.callAll(in);
    Tensor[] want = function.call(in);
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < want.length; i++) {
      close(got[i], want[i], SAME_OPS);
    }
  }

  static void close(Tensor actual, Tensor expected, double tolerance) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    assertThat(actual.dtype()).isEqualTo(expected.dtype());
    double[] a = actual.toDoubleArray();
    double[] e = expected.toDoubleArray();
    for (int i = 0; i < a.length; i++) {
      double tol = tolerance * Math.max(1, Math.abs(e[i]));
      assertThat(a[i])
          .as("element %d of %s", i, expected.shape())
          .isCloseTo(e[i], org.assertj.core.data.Offset.offset(tol));
    }
  }
}
