package dev.sonnet.runtime.cpu;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;

/**
 * The reference unary kernels: one plain loop per (kind, dtype), over a range {@code [from, to)} so
 * that {@link CpuParallel} can split large buffers.
 *
 * <p><b>Float32 arithmetic.</b> NEG, ABS, SQUARE, RELU, SIGN and RECIPROCAL are computed in float
 * (each is one correctly rounded IEEE operation). Every transcendental kind (EXP, LOG, TANH, ...,
 * GELU) is computed in double with {@link Math} or {@link SpecialFunctions} and rounded once to
 * float, so the float result is within half an ulp plus the double error: the specification the
 * vector kernels are tested against. SIGMOID and SOFTPLUS use their overflow-free forms {@code
 * 1/(1+e^-x)} for {@code x >= 0} and {@code e^x/(1+e^x)} otherwise, and {@code max(x,0) +
 * log1p(exp(-|x|))}. Integers support NEG, ABS, SIGN and SQUARE (wrapping as Java does); bool
 * supports LOGICAL_NOT.
 */
final class ScalarUnary {
  private ScalarUnary() {}

  static void run(UnaryKind kind, CpuBuffer x, CpuBuffer out, int from, int to) {
    switch (x.dtype()) {
      case FLOAT32 -> f32(kind, x.f32(), out.f32(), from, to);
      case FLOAT64 -> f64(kind, x.f64(), out.f64(), from, to);
      case INT32 -> i32(kind, x.i32(), out.i32(), from, to);
      case INT64 -> i64(kind, x.i64(), out.i64(), from, to);
      case BOOL -> bool(kind, x.bool(), out.bool(), from, to);
    }
  }

  /** Throws unless {@code kind} is defined on {@code dtype}. */
  static void check(UnaryKind kind, DType dtype) {
    boolean ok =
        switch (dtype) {
          case FLOAT32, FLOAT64 -> kind != UnaryKind.LOGICAL_NOT;
          case INT32, INT64 -> kind.acceptsIntegers();
          case BOOL -> kind == UnaryKind.LOGICAL_NOT;
          // Stored only: operations widen them to float32 before a kernel sees them.
          case BFLOAT16, FLOAT16 -> false;
        };
    if (!ok) {
      throw new SonnetException(
          "Unary "
              + kind
              + " is not defined on "
              + dtype
              + " tensors; cast first, e.g. x.cast(DType.FLOAT32)");
    }
  }

  static void f32(UnaryKind kind, float[] x, float[] o, int from, int to) {
    switch (kind) {
      case NEG -> {
        for (int i = from; i < to; i++) o[i] = -x[i];
      }
      case ABS -> {
        for (int i = from; i < to; i++) o[i] = Math.abs(x[i]);
      }
      case EXP -> {
        for (int i = from; i < to; i++) o[i] = (float) Math.exp(x[i]);
      }
      case LOG -> {
        for (int i = from; i < to; i++) o[i] = (float) Math.log(x[i]);
      }
      case LOG1P -> {
        for (int i = from; i < to; i++) o[i] = (float) Math.log1p(x[i]);
      }
      case SQRT -> {
        for (int i = from; i < to; i++) o[i] = (float) Math.sqrt(x[i]);
      }
      case RSQRT -> {
        for (int i = from; i < to; i++) o[i] = (float) (1.0 / Math.sqrt(x[i]));
      }
      case SQUARE -> {
        for (int i = from; i < to; i++) o[i] = x[i] * x[i];
      }
      case TANH -> {
        for (int i = from; i < to; i++) o[i] = (float) Math.tanh(x[i]);
      }
      case SIGMOID -> {
        for (int i = from; i < to; i++) o[i] = (float) sigmoid(x[i]);
      }
      case RELU -> {
        for (int i = from; i < to; i++) o[i] = relu(x[i]);
      }
      case GELU -> {
        for (int i = from; i < to; i++) o[i] = (float) SpecialFunctions.gelu(x[i]);
      }
      case SOFTPLUS -> {
        for (int i = from; i < to; i++) o[i] = (float) softplus(x[i]);
      }
      case SIGN -> {
        for (int i = from; i < to; i++) o[i] = Math.signum(x[i]);
      }
      case SIN -> {
        for (int i = from; i < to; i++) o[i] = (float) Math.sin(x[i]);
      }
      case COS -> {
        for (int i = from; i < to; i++) o[i] = (float) Math.cos(x[i]);
      }
      case RECIPROCAL -> {
        for (int i = from; i < to; i++) o[i] = 1.0f / x[i];
      }
      case NORMAL_CDF -> {
        for (int i = from; i < to; i++) o[i] = (float) SpecialFunctions.normalCdf(x[i]);
      }
      case LOGICAL_NOT -> check(kind, DType.FLOAT32);
    }
  }

  static void f64(UnaryKind kind, double[] x, double[] o, int from, int to) {
    switch (kind) {
      case NEG -> {
        for (int i = from; i < to; i++) o[i] = -x[i];
      }
      case ABS -> {
        for (int i = from; i < to; i++) o[i] = Math.abs(x[i]);
      }
      case EXP -> {
        for (int i = from; i < to; i++) o[i] = Math.exp(x[i]);
      }
      case LOG -> {
        for (int i = from; i < to; i++) o[i] = Math.log(x[i]);
      }
      case LOG1P -> {
        for (int i = from; i < to; i++) o[i] = Math.log1p(x[i]);
      }
      case SQRT -> {
        for (int i = from; i < to; i++) o[i] = Math.sqrt(x[i]);
      }
      case RSQRT -> {
        for (int i = from; i < to; i++) o[i] = 1.0 / Math.sqrt(x[i]);
      }
      case SQUARE -> {
        for (int i = from; i < to; i++) o[i] = x[i] * x[i];
      }
      case TANH -> {
        for (int i = from; i < to; i++) o[i] = Math.tanh(x[i]);
      }
      case SIGMOID -> {
        for (int i = from; i < to; i++) o[i] = sigmoid(x[i]);
      }
      case RELU -> {
        for (int i = from; i < to; i++) o[i] = relu(x[i]);
      }
      case GELU -> {
        for (int i = from; i < to; i++) o[i] = SpecialFunctions.gelu(x[i]);
      }
      case SOFTPLUS -> {
        for (int i = from; i < to; i++) o[i] = softplus(x[i]);
      }
      case SIGN -> {
        for (int i = from; i < to; i++) o[i] = Math.signum(x[i]);
      }
      case SIN -> {
        for (int i = from; i < to; i++) o[i] = Math.sin(x[i]);
      }
      case COS -> {
        for (int i = from; i < to; i++) o[i] = Math.cos(x[i]);
      }
      case RECIPROCAL -> {
        for (int i = from; i < to; i++) o[i] = 1.0 / x[i];
      }
      case NORMAL_CDF -> {
        for (int i = from; i < to; i++) o[i] = SpecialFunctions.normalCdf(x[i]);
      }
      case LOGICAL_NOT -> check(kind, DType.FLOAT64);
    }
  }

  static void i32(UnaryKind kind, int[] x, int[] o, int from, int to) {
    switch (kind) {
      case NEG -> {
        for (int i = from; i < to; i++) o[i] = -x[i];
      }
      case ABS -> {
        for (int i = from; i < to; i++) o[i] = Math.abs(x[i]);
      }
      case SIGN -> {
        for (int i = from; i < to; i++) o[i] = Integer.signum(x[i]);
      }
      case SQUARE -> {
        for (int i = from; i < to; i++) o[i] = x[i] * x[i];
      }
      default -> check(kind, DType.INT32);
    }
  }

  static void i64(UnaryKind kind, long[] x, long[] o, int from, int to) {
    switch (kind) {
      case NEG -> {
        for (int i = from; i < to; i++) o[i] = -x[i];
      }
      case ABS -> {
        for (int i = from; i < to; i++) o[i] = Math.abs(x[i]);
      }
      case SIGN -> {
        for (int i = from; i < to; i++) o[i] = Long.signum(x[i]);
      }
      case SQUARE -> {
        for (int i = from; i < to; i++) o[i] = x[i] * x[i];
      }
      default -> check(kind, DType.INT64);
    }
  }

  static void bool(UnaryKind kind, boolean[] x, boolean[] o, int from, int to) {
    check(kind, DType.BOOL);
    for (int i = from; i < to; i++) {
      o[i] = !x[i];
    }
  }

  /** {@code 1 / (1 + e^-x)} without overflow for either sign. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  /** {@code log(1 + e^x)} without overflow: {@code max(x, 0) + log1p(e^-|x|)}. */
  static double softplus(double x) {
    return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** {@code max(x, 0)} that passes NaN through and maps -0 to +0. */
  static float relu(float x) {
    return x > 0 ? x : (x != x ? x : 0.0f);
  }

  static double relu(double x) {
    return x > 0 ? x : (x != x ? x : 0.0);
  }
}
