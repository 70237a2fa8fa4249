package dev.sonnet.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShapeTest {

  @Test
  void scalar_hasRankZeroAndOneElement() {
    assertThat(Shape.SCALAR.rank()).isZero();
    assertThat(Shape.SCALAR.size()).isEqualTo(1);
    assertThat(Shape.of()).isSameAs(Shape.SCALAR);
  }

  @Test
  void negativeAxis_countsFromEnd() {
    Shape s = Shape.of(2, 3, 5);
    assertThat(s.dim(-1)).isEqualTo(5);
    assertThat(s.axis(-3)).isZero();
    assertThatThrownBy(() -> s.axis(3))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("Axis 3")
        .hasMessageContaining("[2, 3, 5]");
  }

  @Test
  void strides_areRowMajor() {
    assertThat(Shape.of(2, 3, 5).strides()).containsExactly(15, 5, 1);
  }

  @Test
  void broadcast_alignsFromRight() {
    assertThat(Shape.broadcast("add", Shape.of(4, 1, 3), Shape.of(5, 1)))
        .isEqualTo(Shape.of(4, 5, 3));
    assertThat(Shape.broadcast("add", Shape.SCALAR, Shape.of(2))).isEqualTo(Shape.of(2));
    assertThat(Shape.broadcast("add", Shape.of(0, 1), Shape.of(1, 4))).isEqualTo(Shape.of(0, 4));
  }

  @Test
  void broadcast_ofIncompatibleShapes_namesOpAndBothShapes() {
    assertThatThrownBy(() -> Shape.broadcast("mul", Shape.of(2, 3), Shape.of(4)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("mul")
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("[4]");
  }

  @Test
  void broadcastStrides_areZeroOnStretchedAndMissingDims() {
    assertThat(Shape.of(3, 1).broadcastStrides(Shape.of(2, 3, 4))).containsExactly(0, 1, 0);
  }

  @Test
  void negativeDimension_isRejected() {
    assertThatThrownBy(() -> Shape.of(2, -1)).isInstanceOf(ShapeException.class);
  }

  @Test
  void dtypes_haveShortNamesAndSizes() {
    assertThat(DType.FLOAT32.shortName()).isEqualTo("f32");
    assertThat(DType.INT64.byteSize()).isEqualTo(8);
    assertThat(DType.BOOL.isFloating()).isFalse();
    assertThat(DType.INT32.isInteger()).isTrue();
  }

  @Test
  void coordinates_ofARowMajorPosition() {
    Shape s = Shape.of(2, 3, 4);
    assertThat(s.coordinates(0)).containsExactly(0, 0, 0);
    assertThat(s.coordinates(23)).containsExactly(1, 2, 3);
    assertThat(s.coordinates(13)).containsExactly(1, 0, 1);
    assertThat(Shape.SCALAR.coordinates(0)).isEmpty();
  }
}
