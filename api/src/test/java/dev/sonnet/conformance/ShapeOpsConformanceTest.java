package dev.sonnet.conformance;

import static dev.sonnet.conformance.OpAssertions.assertValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.ops.PadMode;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reshaping, reordering, joining, selecting and padding: values, errors and gradients. */
class ShapeOpsConformanceTest {
  private static final int END = Integer.MAX_VALUE;
  private static final int START = Integer.MIN_VALUE;

  /** 0, 1, ..., n-1 as float64 in {@code shape}. */
  private static Tensor iota(int... shape) {
    int n = Shape.of(shape).intSize();
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return Tensor.of(v, shape);
  }

  // ---- reshape, expandDims, squeeze --------------------------------------------------------

  @Test
  void reshape_infersMinusOne_andSharesMemory() {
    Tensor x = iota(2, 3, 4);
    Tensor r = x.reshape(4, -1);
    assertThat(r.shape()).isEqualTo(Shape.of(4, 6));
    assertThat(r.buffer()).isSameAs(x.buffer());
    assertThat(x.reshape(-1).shape()).isEqualTo(Shape.of(24));
    assertThat(Tensor.zeros(DType.FLOAT32, 0, 3).reshape(3, 0, 5).shape())
        .isEqualTo(Shape.of(3, 0, 5));
    assertThatThrownBy(() -> Tensor.zeros(DType.FLOAT32, 0, 3).reshape(3, 0, -1))
        .hasMessageContaining("infer")
        .hasMessageContaining("[3, 0, -1]");
    assertThat(Tensor.scalar(1.0).reshape(1, 1).shape()).isEqualTo(Shape.of(1, 1));
  }

  @Test
  void reshape_wrongSize_namesBothShapesAndCounts() {
    Tensor x = iota(2, 3);
    assertThatThrownBy(() -> x.reshape(4, 2))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("reshape")
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("[4, 2]")
        .hasMessageContaining("6 elements");
    assertThatThrownBy(() -> x.reshape(4, -1)).hasMessageContaining("[4, -1]");
    assertThatThrownBy(() -> x.reshape(-1, -1)).hasMessageContaining("only one");
  }

  @Test
  void expandDimsAndSqueeze_moveSizeOneAxes() {
    Tensor x = iota(2, 3);
    assertThat(x.expandDims(0).shape()).isEqualTo(Shape.of(1, 2, 3));
    assertThat(x.expandDims(1).shape()).isEqualTo(Shape.of(2, 1, 3));
    assertThat(x.expandDims(-1).shape()).isEqualTo(Shape.of(2, 3, 1));
    assertThat(x.expandDims(-1).buffer()).isSameAs(x.buffer());
    Tensor y = iota(1, 2, 1, 3, 1);
    assertThat(y.squeeze().shape()).isEqualTo(Shape.of(2, 3));
    assertThat(y.squeeze(0, -1).shape()).isEqualTo(Shape.of(2, 1, 3));
    assertThatThrownBy(() -> y.squeeze(1))
        .hasMessageContaining("squeeze")
        .hasMessageContaining("size 2");
    assertThatThrownBy(() -> x.expandDims(3)).hasMessageContaining("expandDims");
  }

  @Test
  void reshapeFamily_gradientsKeepInputShape() {
    Tensor x = GradientCheck.uniform(61, -1, 1, 2, 1, 17);
    GradientCheck.check(in -> in[0].reshape(17, -1).mul(in[0].reshape(17, 2)), x);
    GradientCheck.check(in -> in[0].squeeze().expandDims(0).square(), x);
  }

  // ---- transpose, permute, broadcastTo -----------------------------------------------------

  @Test
  void transpose_swapsLastTwoAxes() {
    assertValues(iota(2, 3).transpose(), Shape.of(3, 2), 0, 3, 1, 4, 2, 5);
    Tensor t = iota(2, 2, 3).transpose();
    assertValues(t, Shape.of(2, 3, 2), 0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11);
    assertThatThrownBy(() -> iota(3).transpose())
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("transpose")
        .hasMessageContaining("[3]");
  }

  @Test
  void permute_reordersAxes() {
    Tensor x = iota(2, 3, 4);
    Tensor p = x.permute(2, 0, 1);
    assertThat(p.shape()).isEqualTo(Shape.of(4, 2, 3));
    double[] v = p.toDoubleArray();
    // p[k][i][j] = x[i][j][k] = 12 i + 4 j + k
    assertThat(v[0]).isEqualTo(0);
    assertThat(v[1]).isEqualTo(4);
    assertThat(v[3]).isEqualTo(12);
    assertThat(v[6]).isEqualTo(1);
    assertThat(v[23]).isEqualTo(23);
    assertThat(x.permute(-3, -2, -1)).isSameAs(x);
    assertThatThrownBy(() -> x.permute(0, 0, 1))
        .hasMessageContaining("permute")
        .hasMessageContaining("[0, 0, 1]");
    assertThatThrownBy(() -> x.permute(1, 0)).hasMessageContaining("rank 3");
    GradientCheck.check(in -> in[0].permute(1, 2, 0), GradientCheck.uniform(62, -1, 1, 3, 1, 5));
    GradientCheck.check(in -> in[0].transpose(), GradientCheck.uniform(63, -1, 1, 2, 3, 17));
  }

  @Test
  void broadcastTo_repeatsSizeOneAndLeadingAxes() {
    Tensor x = Tensor.of(new double[] {1, 2, 3}, 3, 1);
    assertValues(
        x.broadcastTo(Shape.of(2, 3, 2)), Shape.of(2, 3, 2), 1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3);
    assertThat(x.broadcastTo(Shape.of(3, 1))).isSameAs(x);
    assertThat(x.broadcastTo(Shape.of(3, 0)).shape()).isEqualTo(Shape.of(3, 0));
    assertThatThrownBy(() -> x.broadcastTo(Shape.of(4, 2)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("broadcastTo")
        .hasMessageContaining("[3, 1]")
        .hasMessageContaining("[4, 2]");
    assertThatThrownBy(() -> iota(3, 2).broadcastTo(Shape.of(3, 1)))
        .hasMessageContaining("[3, 2]")
        .hasMessageContaining("[3, 1]");
    GradientCheck.check(
        in -> in[0].broadcastTo(Shape.of(2, 3, 5)), GradientCheck.uniform(64, -1, 1, 3, 1));
  }

  // ---- concat, stack, split ----------------------------------------------------------------

  @Test
  void concat_joinsAlongAnyAxis() {
    Tensor a = iota(2, 2);
    Tensor b = iota(2, 1).add(10.0);
    assertValues(ShapeOps.concat(1, a, b), Shape.of(2, 3), 0, 1, 10, 2, 3, 11);
    assertValues(ShapeOps.concat(0, a, a), Shape.of(4, 2), 0, 1, 2, 3, 0, 1, 2, 3);
    assertValues(
        ShapeOps.concat(0, List.of(a, Tensor.zeros(DType.FLOAT64, 0, 2))),
        Shape.of(2, 2),
        0,
        1,
        2,
        3);
    assertThatThrownBy(() -> ShapeOps.concat(0, a, b))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("concat")
        .hasMessageContaining("[2, 2]")
        .hasMessageContaining("[2, 1]");
    assertThatThrownBy(() -> ShapeOps.concat(0, a, Tensor.zeros(DType.FLOAT32, 2, 2)))
        .hasMessageContaining("f64")
        .hasMessageContaining("f32");
  }

  @Test
  void split_gradientJoinsThePartsGradients_includingUnusedParts() {
    Tensor x = GradientCheck.uniform(63, -1, 1, 4, 6);
    // Parts of uneven size, weighted differently, one left out of the loss (its gradient is zero).
    GradientCheck.check(
        in -> {
          List<Tensor> p = ShapeOps.split(in[0], new int[] {1, 3, 2}, 1);
          return p.get(0).square().sum().add(p.get(2).mul(3).sum());
        },
        x);
    GradientCheck.check(
        in -> {
          List<Tensor> p = ShapeOps.split(in[0], 4, 0);
          return p.get(3).mul(p.get(1)).add(p.get(0).exp()).sum();
        },
        x);
  }

  @Test
  void stackAndSplit_areInverse() {
    Tensor a = iota(2, 3);
    Tensor b = iota(2, 3).neg();
    Tensor s = ShapeOps.stack(1, a, b);
    assertThat(s.shape()).isEqualTo(Shape.of(2, 2, 3));
    assertValues(s, Shape.of(2, 2, 3), 0, 1, 2, 0, -1, -2, 3, 4, 5, -3, -4, -5);
    assertThat(ShapeOps.stack(-1, List.of(a, b)).shape()).isEqualTo(Shape.of(2, 3, 2));
    List<Tensor> parts = ShapeOps.split(s, 2, 1);
    assertValues(parts.get(0).squeeze(1), Shape.of(2, 3), 0, 1, 2, 3, 4, 5);
    List<Tensor> uneven = ShapeOps.split(iota(7), new int[] {2, 0, 5}, 0);
    assertValues(uneven.get(0), Shape.of(2), 0, 1);
    assertThat(uneven.get(1).shape()).isEqualTo(Shape.of(0));
    assertValues(uneven.get(2), Shape.of(5), 2, 3, 4, 5, 6);
    assertThatThrownBy(() -> iota(7).split(2, 0))
        .hasMessageContaining("split")
        .hasMessageContaining("7");
    assertThatThrownBy(() -> ShapeOps.split(iota(7), new int[] {3, 3}, 0))
        .hasMessageContaining("add up to 6");
    assertThatThrownBy(() -> ShapeOps.stack(0, a, iota(3, 2)))
        .hasMessageContaining("stack")
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("[3, 2]");
  }

  @Test
  void concatStackSplit_gradients() {
    Tensor a = GradientCheck.uniform(65, -1, 1, 3, 17);
    Tensor b = GradientCheck.uniform(66, -1, 1, 3, 4);
    GradientCheck.check(in -> ShapeOps.concat(1, in[0], in[1], in[0]), a, b);
    GradientCheck.check(in -> ShapeOps.stack(0, in[0], in[0].square()), a);
    GradientCheck.check(
        in -> {
          List<Tensor> p = ShapeOps.split(in[0], new int[] {5, 12}, 1);
          return p.get(0).sum(true, 1).mul(p.get(1));
        },
        a);
  }

  // ---- slice -------------------------------------------------------------------------------

  @Test
  void slice_pythonRules() {
    Tensor x = iota(10);
    int[] one = {1};
    assertValues(x.slice(new int[] {2}, new int[] {8}, new int[] {3}), Shape.of(2), 2, 5);
    assertValues(x.slice(new int[] {-3}, new int[] {END}, one), Shape.of(3), 7, 8, 9);
    assertValues(x.slice(new int[] {-100}, new int[] {2}, one), Shape.of(2), 0, 1);
    assertValues(x.slice(new int[] {8}, new int[] {100}, null), Shape.of(2), 8, 9);
    assertValues(x.slice(new int[] {END}, new int[] {START}, new int[] {-4}), Shape.of(3), 9, 5, 1);
    assertValues(x.slice(new int[] {7}, new int[] {2}, new int[] {-2}), Shape.of(3), 7, 5, 3);
    assertValues(x.slice(new int[] {-1}, new int[] {-4}, new int[] {-1}), Shape.of(3), 9, 8, 7);
    assertThat(x.slice(new int[] {5}, new int[] {2}, one).shape()).isEqualTo(Shape.of(0));
    assertThat(x.slice(new int[] {0}, new int[] {END}, one)).isSameAs(x);
  }

  @Test
  void slice_multiAxis_andErrors() {
    Tensor x = iota(3, 4);
    assertValues(
        x.slice(new int[] {1, -1}, new int[] {END, START}, new int[] {1, -2}),
        Shape.of(2, 2),
        7,
        5,
        11,
        9);
    assertValues(x.slice(new int[] {2}, new int[] {3}, null), Shape.of(1, 4), 8, 9, 10, 11);
    assertThatThrownBy(() -> x.slice(new int[] {0}, new int[] {1}, new int[] {0}))
        .hasMessageContaining("slice")
        .hasMessageContaining("stride");
    assertThatThrownBy(() -> x.slice(new int[] {0, 0, 0}, new int[] {1, 1, 1}, null))
        .hasMessageContaining("[3, 4]");
  }

  @Test
  void slice_gradient_isZeroOutsideWindow() {
    Tensor x = GradientCheck.uniform(67, -1, 1, 5, 17);
    GradientCheck.check(
        in -> in[0].slice(new int[] {1, -2}, new int[] {END, 0}, new int[] {2, -3}), x);
    GradientCheck.check(in -> in[0].slice(new int[] {4}, new int[] {5}, null), x);
  }

  // ---- gather, scatterAdd, oneHot ----------------------------------------------------------

  @Test
  void gather_anyAxis_anyIndexRank() {
    Tensor x = iota(3, 4);
    Tensor rows = Tensor.of(new int[] {2, 0, 2}, 3);
    assertValues(x.gather(rows, 0), Shape.of(3, 4), 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11);
    Tensor cols = Tensor.of(new long[] {3, 1, 0, 0}, 2, 2);
    assertValues(x.gather(cols, 1), Shape.of(3, 2, 2), 3, 1, 0, 0, 7, 5, 4, 4, 11, 9, 8, 8);
    assertValues(x.gather(Tensor.scalar(1), -1), Shape.of(3), 1, 5, 9);
    assertThat(x.gather(Tensor.zeros(DType.INT32, 0), 0).shape()).isEqualTo(Shape.of(0, 4));
    assertThatThrownBy(() -> x.gather(Tensor.of(new double[] {1}, 1), 0))
        .hasMessageContaining("gather")
        .hasMessageContaining("int32 or int64");
  }

  @Test
  void gather_gradient_accumulatesRepeatedIndices() {
    Tensor x = GradientCheck.uniform(68, -1, 1, 4, 5);
    Tensor idx = Tensor.of(new int[] {1, 3, 1, 1, 0, 3}, 2, 3);
    GradientCheck.check(in -> in[0].gather(idx, 0), x);
    GradientCheck.check(in -> in[0].gather(idx, 1), x);
    try (GradientTape tape = GradientTape.open()) {
      Tensor v = Tensor.of(new double[] {1, 2, 3}, 3);
      tape.watch(v);
      Tensor g = tape.gradient(v.gather(Tensor.of(new int[] {2, 2, 0}, 3), 0).sum(), v);
      assertThat(g.toDoubleArray()).containsExactly(1, 0, 2);
    }
  }

  @Test
  void scatterAdd_addsUpdatesAtIndices() {
    Tensor x = Tensor.zeros(DType.FLOAT64, 3, 2);
    Tensor idx = Tensor.of(new int[] {2, 0, 2}, 3);
    Tensor upd = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
    assertValues(ShapeOps.scatterAdd(x, idx, upd, 0), Shape.of(3, 2), 3, 4, 0, 0, 6, 8);
    assertThat(x.toDoubleArray()).containsOnly(0);
    assertThatThrownBy(() -> ShapeOps.scatterAdd(x, idx, iota(2, 2), 0))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("scatterAdd")
        .hasMessageContaining("[2, 2]")
        .hasMessageContaining("[3, 2]");
    GradientCheck.check(
        in -> ShapeOps.scatterAdd(in[0], idx, in[1], 0),
        GradientCheck.uniform(69, -1, 1, 3, 2),
        GradientCheck.uniform(70, -1, 1, 3, 2));
    Tensor idx2 = Tensor.of(new long[] {1, 1, 0, 4}, 2, 2);
    GradientCheck.check(
        in -> ShapeOps.scatterAdd(in[0], idx2, in[1], 1).square(),
        GradientCheck.uniform(71, -1, 1, 2, 5),
        GradientCheck.uniform(72, -1, 1, 2, 2, 2));
  }

  @Test
  void oneHot_outOfRangeGivesZeroRow() {
    Tensor idx = Tensor.of(new int[] {0, 2, -1, 3}, 2, 2);
    Tensor h = ShapeOps.oneHot(idx, 3, DType.FLOAT32);
    assertThat(h.dtype()).isEqualTo(DType.FLOAT32);
    assertValues(h, Shape.of(2, 2, 3), 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0);
    Tensor l = ShapeOps.oneHot(Tensor.of(new long[] {1}, 1), 2, DType.INT64);
    assertThat(l.toLongArray()).containsExactly(0, 1);
  }

  // ---- pad ---------------------------------------------------------------------------------

  @Test
  void pad_constantReflectSymmetric_valuesByHand() {
    Tensor x = Tensor.of(new double[] {1, 2, 3}, 3);
    int[][] p = {{2, 2}};
    assertValues(ShapeOps.pad(x, p, PadMode.CONSTANT, 9), Shape.of(7), 9, 9, 1, 2, 3, 9, 9);
    assertValues(ShapeOps.pad(x, p, PadMode.REFLECT, 0), Shape.of(7), 3, 2, 1, 2, 3, 2, 1);
    assertValues(
        ShapeOps.pad(x, new int[][] {{3, 1}}, PadMode.SYMMETRIC, 0),
        Shape.of(7),
        3,
        2,
        1,
        1,
        2,
        3,
        3);
    Tensor m = iota(2, 2);
    assertValues(
        ShapeOps.pad(m, new int[][] {{1, 0}, {0, 1}}, PadMode.CONSTANT, 0),
        Shape.of(3, 3),
        0,
        0,
        0,
        0,
        1,
        0,
        2,
        3,
        0);
    assertValues(
        ShapeOps.pad(m, new int[][] {{1, 1}, {1, 0}}, PadMode.REFLECT, 0),
        Shape.of(4, 3),
        3,
        2,
        3,
        1,
        0,
        1,
        3,
        2,
        3,
        1,
        0,
        1);
    assertThat(
            ShapeOps.pad(
                    Tensor.zeros(DType.FLOAT64, 0, 2),
                    new int[][] {{1, 0}, {0, 0}},
                    PadMode.CONSTANT,
                    5)
                .toDoubleArray())
        .containsExactly(5, 5);
  }

  @Test
  void pad_tooLargeForMirror_explainsLimit() {
    Tensor x = iota(3);
    assertThatThrownBy(() -> ShapeOps.pad(x, new int[][] {{3, 0}}, PadMode.REFLECT, 0))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("REFLECT")
        .hasMessageContaining("< ")
        .hasMessageContaining("[3]");
    assertThatThrownBy(() -> ShapeOps.pad(x, new int[][] {{0, 4}}, PadMode.SYMMETRIC, 0))
        .hasMessageContaining("SYMMETRIC")
        .hasMessageContaining("<=");
    assertThatThrownBy(() -> ShapeOps.pad(x, new int[][] {{-1, 0}}, PadMode.CONSTANT, 0))
        .hasMessageContaining(">= 0");
    assertThatThrownBy(() -> ShapeOps.pad(x, new int[][] {{1, 1}, {1, 1}}, PadMode.CONSTANT, 0))
        .hasMessageContaining("rank 1");
  }

  @Test
  void pad_gradients_sumBorderBackIntoSources() {
    Tensor x = GradientCheck.uniform(73, -1, 1, 3, 5);
    int[][] p = {{1, 2}, {2, 1}};
    GradientCheck.check(in -> ShapeOps.pad(in[0], p, PadMode.CONSTANT, 0.5), x);
    GradientCheck.check(in -> ShapeOps.pad(in[0], p, PadMode.REFLECT, 0), x);
    GradientCheck.check(
        in -> ShapeOps.pad(in[0], new int[][] {{3, 3}, {0, 5}}, PadMode.SYMMETRIC, 0), x);
  }
}
