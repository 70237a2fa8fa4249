package dev.sonnet.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import org.junit.jupiter.api.Test;

/** The pure shape arithmetic of the ops, checked without a backend. */
class ShapeLogicTest {
  private static final int END = Integer.MAX_VALUE;
  private static final int START = Integer.MIN_VALUE;

  /** The indices a 1-d slice of a length-{@code n} axis visits, as Python's range would. */
  private static int[] visited(int n, int begin, int end, int stride) {
    SliceOp op =
        SliceOp.normalize(Shape.of(n), new int[] {begin}, new int[] {end}, new int[] {stride});
    if (op == null) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      return all;
    }
    int count = op.shape().dim(0);
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = op.begin()[0] + i * op.step()[0];
    }
    return out;
  }

  @Test
  void slice_followsPythonSliceRules() {
    // Expected values are what list(range(10))[b:e:s] gives in Python.
    assertThat(visited(10, 2, 8, 3)).containsExactly(2, 5);
    assertThat(visited(10, -3, END, 1)).containsExactly(7, 8, 9);
    assertThat(visited(10, -100, 2, 1)).containsExactly(0, 1);
    assertThat(visited(10, 8, 100, 1)).containsExactly(8, 9);
    assertThat(visited(10, 5, 2, 1)).isEmpty();
    assertThat(visited(10, END, START, -1)).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    assertThat(visited(10, END, START, -4)).containsExactly(9, 5, 1);
    assertThat(visited(10, 7, 2, -2)).containsExactly(7, 5, 3);
    assertThat(visited(10, -1, -4, -1)).containsExactly(9, 8, 7);
    assertThat(visited(10, 2, 5, -1)).isEmpty();
    assertThat(visited(10, 100, 8, -1)).containsExactly(9);
    assertThat(visited(10, 0, -1, 4)).containsExactly(0, 4, 8);
    assertThat(visited(0, 0, END, 1)).isEmpty();
    assertThat(visited(0, END, START, -1)).isEmpty();
  }

  @Test
  void slice_wholeAxisIsNoOp_andRejectsZeroStride() {
    assertThat(SliceOp.normalize(Shape.of(3, 4), new int[] {0}, new int[] {END}, null)).isNull();
    assertThatThrownBy(
            () -> SliceOp.normalize(Shape.of(3), new int[] {0}, new int[] {1}, new int[] {0}))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("stride");
  }

  @Test
  void reshape_infersOneDimension() {
    assertThat(ShapeOps.inferShape(Shape.of(2, 3, 4), new int[] {-1, 4})).isEqualTo(Shape.of(6, 4));
    assertThat(ShapeOps.inferShape(Shape.of(2, 3), new int[] {3, 2})).isEqualTo(Shape.of(3, 2));
    assertThat(ShapeOps.inferShape(Shape.SCALAR, new int[] {-1})).isEqualTo(Shape.of(1));
    assertThatThrownBy(() -> ShapeOps.inferShape(Shape.of(2, 3), new int[] {4, -1}))
        .hasMessageContaining("does not divide 6");
    assertThatThrownBy(() -> ShapeOps.inferShape(Shape.of(2, 3), new int[] {-2, 3}))
        .hasMessageContaining("negative");
  }

  @Test
  void mirrorIndices_reflectAndSymmetric() {
    // [a b c] reflect 2|2: c b [a b c] b a; symmetric 3|1: c b a [a b c] c
    assertThat(ShapeOps.mirrorIndices(3, 2, 2, PadMode.REFLECT))
        .containsExactly(2, 1, 0, 1, 2, 1, 0);
    assertThat(ShapeOps.mirrorIndices(3, 3, 1, PadMode.SYMMETRIC))
        .containsExactly(2, 1, 0, 0, 1, 2, 2);
    assertThat(ShapeOps.mirrorIndices(1, 1, 1, PadMode.SYMMETRIC)).containsExactly(0, 0, 0);
  }

  @Test
  void reducedShape_keepsOrDropsAxes() {
    Shape s = Shape.of(2, 3, 4);
    assertThat(ReduceOp.reducedShape(s, new int[] {0, 2}, false)).isEqualTo(Shape.of(3));
    assertThat(ReduceOp.reducedShape(s, new int[] {0, 2}, true)).isEqualTo(Shape.of(1, 3, 1));
    assertThat(ReduceOp.reducedShape(s, new int[] {0, 1, 2}, false)).isEqualTo(Shape.SCALAR);
  }

  @Test
  void normalizeAxes_sortsNegativesAndRejectsDuplicates() {
    assertThat(OpSupport.normalizeAxes("sum", Shape.of(2, 3, 4), new int[] {-1, 0}))
        .containsExactly(0, 2);
    assertThatThrownBy(() -> OpSupport.normalizeAxes("sum", Shape.of(2, 3), new int[] {1, -1}))
        .hasMessageContaining("sum")
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> OpSupport.normalizeAxes("sum", Shape.of(2, 3), new int[] {-3}))
        .hasMessageContaining("axis -3")
        .hasMessageContaining("[2, 3]");
  }

  @Test
  void gatherShape_replacesAxisWithIndexShape() {
    assertThat(GatherOp.outputShape(Shape.of(5, 6, 7), Shape.of(2, 3), 1))
        .isEqualTo(Shape.of(5, 2, 3, 7));
    assertThat(GatherOp.outputShape(Shape.of(5, 6), Shape.SCALAR, 0)).isEqualTo(Shape.of(6));
  }
}
