package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.ODD_SIZES;
import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.VECTOR;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static dev.sonnet.runtime.cpu.KernelFixtures.randomF32;
import static dev.sonnet.runtime.cpu.KernelFixtures.randomF64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Vector reductions against the scalar reference in every layout the vector path recognises (full,
 * trailing, leading, middle) and one it does not (two separated reduced axes).
 *
 * <p>Tolerances: MAX and MIN select an element, so they match exactly (NaN included). SUM differs
 * by rounding: the scalar path accumulates in double and rounds once, the vector path accumulates
 * in float lanes, whose error is at most {@code (r - 1) * u * sum|x|} for {@code r} terms with
 * {@code u = 2^-24}; for float64 both sides sum in double, so each carries such a term with {@code
 * u = 2^-53}. The inputs are positive, so {@code sum|x|} is the sum itself. Exact comparisons box
 * the values so that NaN equals NaN.
 */
class VectorReductionKernelsTest {

  /** {shape, reduced axes} pairs built around size {@code n}. */
  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (ReduceKind kind : new ReduceKind[] {ReduceKind.SUM, ReduceKind.MAX, ReduceKind.MIN}) {
      for (int n : ODD_SIZES) {
        cases.add(Arguments.of(kind, new int[] {n}, new boolean[] {true}));
        cases.add(Arguments.of(kind, new int[] {3, n}, new boolean[] {false, true}));
        cases.add(Arguments.of(kind, new int[] {n, 5}, new boolean[] {true, false}));
        cases.add(Arguments.of(kind, new int[] {5, n}, new boolean[] {true, false}));
        cases.add(Arguments.of(kind, new int[] {2, n, 3}, new boolean[] {false, true, false}));
        cases.add(Arguments.of(kind, new int[] {2, 3, n}, new boolean[] {true, false, true}));
      }
    }
    // MAX and MIN of an empty axis throw on both paths (see ScalarReductionKernelsTest).
    return cases.stream()
        .filter(
            a -> {
              Object[] v = a.get();
              int[] shape = (int[]) v[1];
              return v[0] == ReduceKind.SUM
                  || StridedRows.volume(shape) > 0
                  || outSize(shape, (boolean[]) v[2]) == 0;
            });
  }

  @ParameterizedTest
  @MethodSource("cases")
  void float32_matchesScalar(ReduceKind kind, int[] shape, boolean[] axes) {
    int size = (int) StridedRows.volume(shape);
    float[] x = randomF32(size, size + 11L, 0.001, 2);
    if (size > 40) {
      x[size / 2] = Float.NaN;
    }
    int outSize = outSize(shape, axes);
    DeviceBuffer want = SCALAR.allocate(DType.FLOAT32, outSize);
    DeviceBuffer got = VECTOR.allocate(DType.FLOAT32, outSize);
    SCALAR.reduce(kind, SCALAR.upload(x), shape, axes, want);
    VECTOR.reduce(kind, VECTOR.upload(x), shape, axes, got);
    long r = size == 0 ? 0 : size / Math.max(outSize, 1);
    float[] w = f32(want);
    float[] g = f32(got);
    for (int i = 0; i < outSize; i++) {
      if (kind == ReduceKind.SUM && !Float.isNaN(w[i])) {
        assertThat(g[i]).isCloseTo(w[i], within((float) ((r + 1) * 0x1p-24 * w[i])));
      } else {
        assertThat(Float.valueOf(g[i])).as("element %d", i).isEqualTo(Float.valueOf(w[i]));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void float64_matchesScalar(ReduceKind kind, int[] shape, boolean[] axes) {
    int size = (int) StridedRows.volume(shape);
    double[] x = randomF64(size, size + 13L, 0.001, 2);
    if (size > 40) {
      x[size / 3] = Double.NaN;
    }
    int outSize = outSize(shape, axes);
    DeviceBuffer want = SCALAR.allocate(DType.FLOAT64, outSize);
    DeviceBuffer got = VECTOR.allocate(DType.FLOAT64, outSize);
    SCALAR.reduce(kind, SCALAR.upload(x), shape, axes, want);
    VECTOR.reduce(kind, VECTOR.upload(x), shape, axes, got);
    long r = size == 0 ? 0 : size / Math.max(outSize, 1);
    double[] w = f64(want);
    double[] g = f64(got);
    for (int i = 0; i < outSize; i++) {
      if (kind == ReduceKind.SUM && !Double.isNaN(w[i])) {
        assertThat(g[i]).isCloseTo(w[i], within((2 * r + 2) * 0x1p-53 * w[i]));
      } else {
        assertThat(Double.valueOf(g[i])).as("element %d", i).isEqualTo(Double.valueOf(w[i]));
      }
    }
  }

  private static int outSize(int[] shape, boolean[] axes) {
    int v = 1;
    for (int d = 0; d < shape.length; d++) {
      v *= axes[d] ? 1 : shape[d];
    }
    return v;
  }
}
