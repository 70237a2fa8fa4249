package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.ops.Scan;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Scan} run eagerly: the same values and gradients as the loop written by hand (it is that
 * loop), gradients against finite differences in float64, and its errors.
 */
class ScanConformanceTest {
  /** One step of an Elman cell: {@code h' = tanh(x w + h u)}, output {@code h' * 2}. */
  private static Tensor[] elman(Tensor h, Tensor x, Tensor w, Tensor u) {
    Tensor next = x.matmul(w).add(h.matmul(u)).tanh();
    return new Tensor[] {next, next.mul(Tensor.scalar(next.backend(), next.dtype(), 2))};
  }

  private static Tensor[] handWritten(Tensor h0, Tensor xs, Tensor w, Tensor u) {
    Tensor h = h0;
    List<Tensor> outs = new ArrayList<>();
    List<Tensor> steps = xs.split(xs.dim(0), 0);
    for (Tensor step : steps) {
      Tensor[] r = elman(h, step.squeeze(0), w, u);
      h = r[0];
      outs.add(r[1]);
    }
    return new Tensor[] {h, dev.sonnet.ops.ShapeOps.stack(0, outs)};
  }

  private static Tensor[] scanned(Tensor h0, Tensor xs, Tensor w, Tensor u) {
    Scan.Result r =
        Scan.scan((c, x) -> elman(c[0], x[0], w, u), List.of(h0), List.of(xs), /* axis= */ 0);
    return new Tensor[] {r.finalCarried().get(0), r.outputs().get(0)};
  }

  @Test
  void valuesAndGradients_areThoseOfTheLoopWrittenByHand_bitForBit() {
    Tensor xs = GradientCheck.uniform(1, -1, 1, 5, 3, 4).cast(DType.FLOAT32);
    Tensor h0 = GradientCheck.uniform(2, -1, 1, 3, 6).cast(DType.FLOAT32);
    Tensor w = GradientCheck.uniform(3, -0.5, 0.5, 4, 6).cast(DType.FLOAT32);
    Tensor u = GradientCheck.uniform(4, -0.5, 0.5, 6, 6).cast(DType.FLOAT32);
    List<Tensor> want;
    List<Tensor> got;
    Tensor[] a;
    Tensor[] b;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(xs, h0, w, u);
      a = handWritten(h0, xs, w, u);
      want = tape.gradient(a[1].sum().add(a[0].sum()), List.of(xs, h0, w, u));
    }
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(xs, h0, w, u);
      b = scanned(h0, xs, w, u);
      got = tape.gradient(b[1].sum().add(b[0].sum()), List.of(xs, h0, w, u));
    }
    assertThat(b[0].toFloatArray()).containsExactly(a[0].toFloatArray());
    assertThat(b[1].shape()).isEqualTo(a[1].shape());
    assertThat(b[1].toFloatArray()).containsExactly(a[1].toFloatArray());
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.get(i).toFloatArray())
          .as("gradient %d", i)
          .containsExactly(want.get(i).toFloatArray());
    }
  }

  @Test
  void gradients_matchFiniteDifferences_alongEitherAxis() {
    Tensor w = GradientCheck.uniform(3, -0.5, 0.5, 4, 3);
    Tensor u = GradientCheck.uniform(4, -0.5, 0.5, 3, 3);
    Tensor h0 = GradientCheck.uniform(2, -1, 1, 2, 3);
    // Time-major [T, B, F]: the final state and the outputs.
    GradientCheck.check(
        in -> {
          Tensor[] r = scanned(in[0], in[1], in[2], in[3]);
          return r[1].sum(0).add(r[0]);
        },
        h0,
        GradientCheck.uniform(1, -1, 1, 4, 2, 4),
        w,
        u);
    // Batch-major [B, T, F]: the outputs stacked along axis 1.
    GradientCheck.check(
        in -> {
          Tensor wv = in[2];
          Tensor uv = in[3];
          Scan.Result r =
              Scan.scan((c, x) -> elman(c[0], x[0], wv, uv), List.of(in[0]), List.of(in[1]), 1);
          assertThat(r.outputs().get(0).shape().dims()).containsExactly(2, 3, 3);
          return r.outputs().get(0);
        },
        h0,
        GradientCheck.uniform(5, -1, 1, 2, 3, 4),
        w,
        u);
  }

  @Test
  void severalSequences_noCarried_andSeveralOutputs() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    Tensor b = Tensor.of(new float[] {10, 20, 30, 40, 50, 60}, 3, 2);
    Scan.Result r =
        Scan.scan(
            (c, x) -> new Tensor[] {x[0].add(x[1]), x[0].mul(x[1])}, List.of(), List.of(a, b), 0);
    assertThat(r.finalCarried()).isEmpty();
    assertThat(r.outputs().get(0).toFloatArray()).containsExactly(11, 22, 33, 44, 55, 66);
    assertThat(r.outputs().get(1).toFloatArray()).containsExactly(10, 40, 90, 160, 250, 360);
  }

  @Test
  void errors_nameTheProblem() {
    Tensor xs = Tensor.zeros(DType.FLOAT32, 3, 2);
    Tensor h = Tensor.zeros(DType.FLOAT32, 2);
    assertThatThrownBy(() -> Scan.scan((c, x) -> c, List.of(h), List.of(), 0))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("at least one sequence");
    assertThatThrownBy(
            () ->
                Scan.scan(
                    (c, x) -> c, List.of(h), List.of(xs, Tensor.zeros(DType.FLOAT32, 4, 2)), 0))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("has 4 steps along axis 0, sequence 0 has 3");
    assertThatThrownBy(
            () -> Scan.scan((c, x) -> c, List.of(h), List.of(Tensor.zeros(DType.FLOAT32, 0, 2)), 0))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("no step");
    assertThatThrownBy(() -> Scan.scan((c, x) -> c, List.of(h), List.of(xs), 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("axis 2 is not an axis of sequence 0");
    assertThatThrownBy(
            () ->
                Scan.scan(
                    (c, x) -> new Tensor[] {Tensor.zeros(DType.FLOAT32, 3)},
                    List.of(h),
                    List.of(xs),
                    0))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("step 0 carries f32[3] at 0 where it received f32[2]");
    assertThatThrownBy(() -> Scan.scan((c, x) -> new Tensor[0], List.of(h), List.of(xs), 0))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("returned 0 tensors");
  }
}
