package dev.sonnet.runtime.cpu;

/**
 * Dtype conversion, one plain loop per (source, target) pair over {@code [from, to)}.
 *
 * <p>Conversions are Java's own casts, which are exactly specified: floating to integer truncates
 * toward zero, saturates at the integer's range and maps NaN to 0; long to float and double round
 * to nearest (a single rounding, never through an intermediate type); double to float rounds to
 * nearest. Bool reads as 1 or 0, and any nonzero number (NaN included) becomes true.
 */
final class CastKernels {
  private CastKernels() {}

  static void cast(CpuBuffer x, CpuBuffer out, int from, int to) {
    Object src = x.array();
    switch (out.dtype()) {
      case FLOAT32 -> toF32(src, out.f32(), from, to);
      case FLOAT64 -> toF64(src, out.f64(), from, to);
      case INT32 -> toI32(src, out.i32(), from, to);
      case INT64 -> toI64(src, out.i64(), from, to);
      case BOOL -> toBool(src, out.bool(), from, to);
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
