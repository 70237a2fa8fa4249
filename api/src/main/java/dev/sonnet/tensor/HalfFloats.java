package dev.sonnet.tensor;

/**
 * Conversions between float32 and the two 16-bit float formats, as raw {@code short} bits.
 *
 * <p>Float32 to 16 bits rounds to nearest, ties to even, as IEEE 754 and every accelerator do; 16
 * bits to float32 is exact. NaN stays NaN (a quiet NaN for bfloat16) and infinities stay infinite.
 * For {@link DType#FLOAT16}, magnitudes above 65504 round to infinity and tiny ones to subnormals
 * or zero; {@link DType#BFLOAT16} has float32's range, so it overflows only where float32 rounding
 * would.
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** The bfloat16 nearest to {@code value} (ties to even), as bits. */
  public static short toBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x0040); // NaN: keep the sign, make it quiet
    }
    // Adding 0x7fff plus the lowest kept bit rounds to nearest even on the 16 dropped bits.
    int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }

  /** The float32 value of bfloat16 {@code bits} (exact). */
  public static float fromBfloat16(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** The IEEE half nearest to {@code value} (ties to even), as bits. */
  public static short toFloat16(float value) {
    return Float.floatToFloat16(value);
  }

  /** The float32 value of IEEE half {@code bits} (exact). */
  public static float fromFloat16(short bits) {
    return Float.float16ToFloat(bits);
  }

  /** {@code value} rounded to {@code dtype} (one of the two 16-bit types), as bits. */
  public static short toBits(DType dtype, float value) {
    return dtype == DType.BFLOAT16 ? toBfloat16(value) : toFloat16(value);
  }

  /** The float32 value of {@code bits} of {@code dtype} (one of the two 16-bit types). */
  public static float fromBits(DType dtype, short bits) {
    return dtype == DType.BFLOAT16 ? fromBfloat16(bits) : fromFloat16(bits);
  }

  /** Converts {@code values} to 16-bit {@code dtype} bits. */
  public static short[] toBits(DType dtype, float[] values) {
    short[] out = new short[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = toBits(dtype, values[i]);
    }
    return out;
  }

  /** Converts 16-bit {@code dtype} bits to float32 values. */
  public static float[] fromBits(DType dtype, short[] bits) {
    float[] out = new float[bits.length];
    for (int i = 0; i < bits.length; i++) {
      out[i] = fromBits(dtype, bits[i]);
    }
    return out;
  }
}
