package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@code Tensor.ofUnsignedBytes}: raw 8-bit data to float32, converted by the backend. */
class UnsignedBytesConformanceTest {

  @Test
  void everyByteValue_convertsExactlyAsThePlainFloatFormula() {
    byte[] all = new byte[256 + 3];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) (i - 3);
    }
    float scale = 2f / 255f;
    float shift = -1f;
    Tensor t = Tensor.ofUnsignedBytes(all, 3, scale, shift, 16, 16);
    assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(t.shape()).isEqualTo(Shape.of(16, 16));
    float[] got = t.toFloatArray();
    for (int v = 0; v < 256; v++) {
      // The contract is the float32 expression as written (product, then sum): bit-identical on
      // every backend, so no tolerance.
      float expected = (all[3 + v] & 0xff) * scale + shift;
      assertThat(got[v]).as("byte %d", v).isEqualTo(expected);
    }
    assertThat(got[0]).isEqualTo(-1f);
    assertThat(got[255]).isEqualTo(1f);
  }

  @Test
  void emptyShape_andTooShortData() {
    assertThat(Tensor.ofUnsignedBytes(new byte[0], 0, 1, 0, 0, 5).size()).isZero();
    assertThatThrownBy(() -> Tensor.ofUnsignedBytes(new byte[10], 4, 1, 0, 2, 4))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[2, 4]")
        .hasMessageContaining("offset 4")
        .hasMessageContaining("10");
    assertThatThrownBy(() -> Tensor.ofUnsignedBytes(new byte[10], -1, 1, 0, 2))
        .isInstanceOf(ShapeException.class);
  }
}
