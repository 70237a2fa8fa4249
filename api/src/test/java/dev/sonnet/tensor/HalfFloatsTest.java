package dev.sonnet.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.conformance.ReducedPrecisionReference;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {
  @Test
  void bothFormats_roundToTheNearestValue_tiesToEven_overAMillionFloats() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1_000_000; i++) {
      // Every bit pattern is equally likely: all exponents, subnormals, NaNs and infinities.
      float v = Float.intBitsToFloat(random.nextInt());
      for (DType dtype : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
        float got = HalfFloats.fromBits(dtype, HalfFloats.toBits(dtype, v));
        float expected = ReducedPrecisionReference.nearest(dtype, v);
        if (Float.isNaN(expected)) {
          assertThat(got).isNaN();
        } else {
          assertThat(Float.floatToIntBits(got))
              .as("%s of %s (bits %08x)", dtype, v, Float.floatToRawIntBits(v))
              .isEqualTo(Float.floatToIntBits(expected));
        }
      }
    }
  }

  @Test
  void everySixteenBitPattern_survivesTheRoundTripThroughFloat32() {
    for (int b = 0; b < 1 << 16; b++) {
      short bits = (short) b;
      for (DType dtype : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
        float f = HalfFloats.fromBits(dtype, bits);
        if (!Float.isNaN(f)) {
          assertThat(HalfFloats.toBits(dtype, f)).as("%s %04x", dtype, b).isEqualTo(bits);
        }
      }
    }
  }
}
