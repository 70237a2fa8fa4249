package dev.sonnet.runtime.cpu;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.HalfFloats;

/**
 * Dtype conversion, one plain loop per (source, target) pair over {@code [from, to)}.
 *
 * <p>Conversions are Java's own casts, which are exactly specified: floating to integer truncates
 * toward zero, saturates at the integer's range and maps NaN to 0; long to float and double round
 * to nearest (a single rounding, never through an intermediate type); double to float rounds to
 * nearest. Bool reads as 1 or 0, and any nonzero number (NaN included) becomes true.
 *
 * <p>The 16-bit floats ({@code short[]} bits) read as their exact float32 value and then convert as
 * a float would. Conversion to them goes through float32 as on the OpenCL runtime: the source
 * becomes the nearest float32 (exact for floats, bools and ints up to 2^24), which then rounds to
 * nearest even in 16 bits ({@link HalfFloats}). For a double that is two roundings, which can
 * differ from one direct rounding in the last 16-bit place when the double lies within float32's
 * rounding error of a 16-bit tie; both runtimes give the same answer.
 */
final class CastKernels {
  private CastKernels() {}

  static void cast(CpuBuffer x, CpuBuffer out, int from, int to) {
    if (x.dtype().isReducedPrecision()) {
      fromHalf(x.dtype(), x.f16Bits(), out, from, to);
      return;
    }
    Object src = x.array();
    switch (out.dtype()) {
      case FLOAT32 -> toF32(src, out.f32(), from, to);
      case FLOAT64 -> toF64(src, out.f64(), from, to);
      case INT32 -> toI32(src, out.i32(), from, to);
      case INT64 -> toI64(src, out.i64(), from, to);
      case BOOL -> toBool(src, out.bool(), from, to);
      case BFLOAT16, FLOAT16 -> toHalf(src, out.dtype(), out.f16Bits(), from, to);
    }
  }

  private static void toHalf(Object src, DType dtype, short[] o, int from, int to) {
    boolean bf16 = dtype == DType.BFLOAT16;
    switch (src) {
      case float[] s -> {
        for (int i = from; i < to; i++) o[i] = half(bf16, s[i]);
      }
      case double[] s -> {
        for (int i = from; i < to; i++) o[i] = half(bf16, (float) s[i]);
      }
      case int[] s -> {
        for (int i = from; i < to; i++) o[i] = half(bf16, (float) s[i]);
      }
      case long[] s -> {
        for (int i = from; i < to; i++) o[i] = half(bf16, (float) s[i]);
      }
      case boolean[] s -> {
        for (int i = from; i < to; i++) o[i] = half(bf16, s[i] ? 1f : 0f);
      }
      default -> throw unknown(src);
    }
  }

  private static short half(boolean bf16, float v) {
    return bf16 ? HalfFloats.toBfloat16(v) : HalfFloats.toFloat16(v);
  }

  /**
   * From 16-bit {@code s} of {@code dtype}: each element's exact float32 value, then as a float.
   */
  private static void fromHalf(DType dtype, short[] s, CpuBuffer out, int from, int to) {
    boolean bf16 = dtype == DType.BFLOAT16;
    switch (out.dtype()) {
      case FLOAT32 -> {
        float[] o = out.f32();
        for (int i = from; i < to; i++) o[i] = HalfFloats.fromBits(dtype, s[i]);
      }
      case FLOAT64 -> {
        double[] o = out.f64();
        for (int i = from; i < to; i++) o[i] = HalfFloats.fromBits(dtype, s[i]);
      }
      case INT32 -> {
        int[] o = out.i32();
        for (int i = from; i < to; i++) o[i] = (int) HalfFloats.fromBits(dtype, s[i]);
      }
      case INT64 -> {
        long[] o = out.i64();
        for (int i = from; i < to; i++) o[i] = (long) HalfFloats.fromBits(dtype, s[i]);
      }
      case BOOL -> {
        boolean[] o = out.bool();
        for (int i = from; i < to; i++) o[i] = HalfFloats.fromBits(dtype, s[i]) != 0f;
      }
      case BFLOAT16, FLOAT16 -> {
        short[] o = out.f16Bits();
        if (out.dtype() == dtype) {
          System.arraycopy(s, from, o, from, to - from);
        } else {
          for (int i = from; i < to; i++) o[i] = half(!bf16, HalfFloats.fromBits(dtype, s[i]));
        }
      }
    }
  }

  private static void toF32(Object src, float[] o, int from, int to) {
    switch (src) {
      case float[] s -> System.arraycopy(s, from, o, from, to - from);
      case double[] s -> {
        for (int i = from; i < to; i++) o[i] = (float) s[i];
      }
      case int[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i];
      }
      case long[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i];
      }
      case boolean[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i] ? 1f : 0f;
      }
      default -> throw unknown(src);
    }
  }

  private static void toF64(Object src, double[] o, int from, int to) {
    switch (src) {
      case float[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i];
      }
      case double[] s -> System.arraycopy(s, from, o, from, to - from);
      case int[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i];
      }
      case long[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i];
      }
      case boolean[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i] ? 1.0 : 0.0;
      }
      default -> throw unknown(src);
    }
  }

  private static void toI32(Object src, int[] o, int from, int to) {
    switch (src) {
      case float[] s -> {
        for (int i = from; i < to; i++) o[i] = (int) s[i];
      }
      case double[] s -> {
        for (int i = from; i < to; i++) o[i] = (int) s[i];
      }
      case int[] s -> System.arraycopy(s, from, o, from, to - from);
      case long[] s -> {
        for (int i = from; i < to; i++) o[i] = (int) s[i];
      }
      case boolean[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i] ? 1 : 0;
      }
      default -> throw unknown(src);
    }
  }

  private static void toI64(Object src, long[] o, int from, int to) {
    switch (src) {
      case float[] s -> {
        for (int i = from; i < to; i++) o[i] = (long) s[i];
      }
      case double[] s -> {
        for (int i = from; i < to; i++) o[i] = (long) s[i];
      }
      case int[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i];
      }
      case long[] s -> System.arraycopy(s, from, o, from, to - from);
      case boolean[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i] ? 1L : 0L;
      }
      default -> throw unknown(src);
    }
  }

  private static void toBool(Object src, boolean[] o, int from, int to) {
    switch (src) {
      case float[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i] != 0f;
      }
      case double[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i] != 0.0;
      }
      case int[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i] != 0;
      }
      case long[] s -> {
        for (int i = from; i < to; i++) o[i] = s[i] != 0L;
      }
      case boolean[] s -> System.arraycopy(s, from, o, from, to - from);
      default -> throw unknown(src);
    }
  }

  private static IllegalStateException unknown(Object src) {
    return new IllegalStateException("CPU buffer holds a " + src.getClass().getSimpleName());
  }
}
