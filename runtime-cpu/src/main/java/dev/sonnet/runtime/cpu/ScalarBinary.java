package dev.sonnet.runtime.cpu;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.tensor.DType;

/**
 * The reference binary kernels, one strided row at a time: {@code out[o + i] = f(a[ao + i*as], b[bo
 * + i*bs])} for {@code i < n}. {@link StridedRows} supplies the rows, so broadcasting costs nothing
 * here.
 *
 * <p>Arithmetic switches on the kind once per row and runs a plain loop. Float32 ADD/SUB/MUL/DIV
 * are single float operations; POW is computed in double and rounded. MAXIMUM and MINIMUM propagate
 * NaN ({@link Math#max}). Integer DIV truncates toward zero and rejects a zero divisor with a
 * {@link SonnetException}. Comparisons evaluate in double (floats, exact) or long (integers,
 * exact); every comparison with NaN is false except NOT_EQUAL. Bool takes EQUAL, NOT_EQUAL and the
 * logical kinds.
 */
final class ScalarBinary {
  private ScalarBinary() {}

  /** Throws unless {@code kind} is defined on operands of {@code dtype}. */
  static void check(BinaryKind kind, DType dtype) {
    boolean ok =
        switch (kind) {
          case LOGICAL_AND, LOGICAL_OR -> dtype == DType.BOOL;
          case EQUAL, NOT_EQUAL -> true;
          case POW -> dtype.isFloating();
          default -> dtype != DType.BOOL;
        };
    if (!ok) {
      throw new SonnetException(
          "Binary " + kind + " is not defined on " + dtype + " tensors; cast the operands first");
    }
  }

  /** One row; {@code out} has {@code a}'s dtype, or BOOL for comparisons and logical kinds. */
  static void row(
      BinaryKind kind,
      DType dtype,
      Object a,
      int ao,
      int as,
      Object b,
      int bo,
      int bs,
      Object out,
      int oo,
      int n) {
    if (kind.returnsBool()) {
      boolean[] o = (boolean[]) out;
      switch (dtype) {
        case FLOAT32 -> compareF32(kind, (float[]) a, ao, as, (float[]) b, bo, bs, o, oo, n);
        case FLOAT64 -> compareF64(kind, (double[]) a, ao, as, (double[]) b, bo, bs, o, oo, n);
        case INT32 -> compareI32(kind, (int[]) a, ao, as, (int[]) b, bo, bs, o, oo, n);
        case INT64 -> compareI64(kind, (long[]) a, ao, as, (long[]) b, bo, bs, o, oo, n);
        case BOOL -> bool(kind, (boolean[]) a, ao, as, (boolean[]) b, bo, bs, o, oo, n);
      }
      return;
    }
    switch (dtype) {
      case FLOAT32 -> f32(kind, (float[]) a, ao, as, (float[]) b, bo, bs, (float[]) out, oo, n);
      case FLOAT64 -> f64(kind, (double[]) a, ao, as, (double[]) b, bo, bs, (double[]) out, oo, n);
      case INT32 -> i32(kind, (int[]) a, ao, as, (int[]) b, bo, bs, (int[]) out, oo, n);
      case INT64 -> i64(kind, (long[]) a, ao, as, (long[]) b, bo, bs, (long[]) out, oo, n);
      case BOOL -> check(kind, dtype);
    }
  }

  static void f32(
      BinaryKind kind,
      float[] a,
      int ao,
      int as,
      float[] b,
      int bo,
      int bs,
      float[] o,
      int oo,
      int n) {
    switch (kind) {
      case ADD -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] + b[bo + i * bs];
      }
      case SUB -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] - b[bo + i * bs];
      }
      case MUL -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] * b[bo + i * bs];
      }
      case DIV -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] / b[bo + i * bs];
      }
      case POW -> {
        for (int i = 0; i < n; i++) o[oo + i] = (float) Math.pow(a[ao + i * as], b[bo + i * bs]);
      }
      case MAXIMUM -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i * as], b[bo + i * bs]);
      }
      case MINIMUM -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i * as], b[bo + i * bs]);
      }
      default -> check(kind, DType.FLOAT32);
    }
  }

  static void f64(
      BinaryKind kind,
      double[] a,
      int ao,
      int as,
      double[] b,
      int bo,
      int bs,
      double[] o,
      int oo,
      int n) {
    switch (kind) {
      case ADD -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] + b[bo + i * bs];
      }
      case SUB -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] - b[bo + i * bs];
      }
      case MUL -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] * b[bo + i * bs];
      }
      case DIV -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] / b[bo + i * bs];
      }
      case POW -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.pow(a[ao + i * as], b[bo + i * bs]);
      }
      case MAXIMUM -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i * as], b[bo + i * bs]);
      }
      case MINIMUM -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i * as], b[bo + i * bs]);
      }
      default -> check(kind, DType.FLOAT64);
    }
  }

  static void i32(
      BinaryKind kind, int[] a, int ao, int as, int[] b, int bo, int bs, int[] o, int oo, int n) {
    switch (kind) {
      case ADD -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] + b[bo + i * bs];
      }
      case SUB -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] - b[bo + i * bs];
      }
      case MUL -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] * b[bo + i * bs];
      }
      case DIV -> {
        for (int i = 0; i < n; i++) {
          int d = b[bo + i * bs];
          if (d == 0) {
            throw divisionByZero(DType.INT32, a[ao + i * as]);
          }
          o[oo + i] = a[ao + i * as] / d;
        }
      }
      case MAXIMUM -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i * as], b[bo + i * bs]);
      }
      case MINIMUM -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i * as], b[bo + i * bs]);
      }
      default -> check(kind, DType.INT32);
    }
  }

  static void i64(
      BinaryKind kind,
      long[] a,
      int ao,
      int as,
      long[] b,
      int bo,
      int bs,
      long[] o,
      int oo,
      int n) {
    switch (kind) {
      case ADD -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] + b[bo + i * bs];
      }
      case SUB -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] - b[bo + i * bs];
      }
      case MUL -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] * b[bo + i * bs];
      }
      case DIV -> {
        for (int i = 0; i < n; i++) {
          long d = b[bo + i * bs];
          if (d == 0) {
            throw divisionByZero(DType.INT64, a[ao + i * as]);
          }
          o[oo + i] = a[ao + i * as] / d;
        }
      }
      case MAXIMUM -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i * as], b[bo + i * bs]);
      }
      case MINIMUM -> {
        for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i * as], b[bo + i * bs]);
      }
      default -> check(kind, DType.INT64);
    }
  }

  static void compareF32(
      BinaryKind kind,
      float[] a,
      int ao,
      int as,
      float[] b,
      int bo,
      int bs,
      boolean[] o,
      int oo,
      int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i] = compare(kind, a[ao + i * as], b[bo + i * bs]);
    }
  }

  static void compareF64(
      BinaryKind kind,
      double[] a,
      int ao,
      int as,
      double[] b,
      int bo,
      int bs,
      boolean[] o,
      int oo,
      int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i] = compare(kind, a[ao + i * as], b[bo + i * bs]);
    }
  }

  static void compareI32(
      BinaryKind kind,
      int[] a,
      int ao,
      int as,
      int[] b,
      int bo,
      int bs,
      boolean[] o,
      int oo,
      int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i] = compare(kind, (long) a[ao + i * as], (long) b[bo + i * bs]);
    }
  }

  static void compareI64(
      BinaryKind kind,
      long[] a,
      int ao,
      int as,
      long[] b,
      int bo,
      int bs,
      boolean[] o,
      int oo,
      int n) {
    for (int i = 0; i < n; i++) {
      o[oo + i] = compare(kind, a[ao + i * as], b[bo + i * bs]);
    }
  }

  static void bool(
      BinaryKind kind,
      boolean[] a,
      int ao,
      int as,
      boolean[] b,
      int bo,
      int bs,
      boolean[] o,
      int oo,
      int n) {
    switch (kind) {
      case EQUAL -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] == b[bo + i * bs];
      }
      case NOT_EQUAL -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] != b[bo + i * bs];
      }
      case LOGICAL_AND -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] & b[bo + i * bs];
      }
      case LOGICAL_OR -> {
        for (int i = 0; i < n; i++) o[oo + i] = a[ao + i * as] | b[bo + i * bs];
      }
      default -> check(kind, DType.BOOL);
    }
  }

  private static boolean compare(BinaryKind kind, double x, double y) {
    return switch (kind) {
      case EQUAL -> x == y;
      case NOT_EQUAL -> x != y;
      case LESS -> x < y;
      case LESS_EQUAL -> x <= y;
      case GREATER -> x > y;
      case GREATER_EQUAL -> x >= y;
      default -> throw notComparison(kind);
    };
  }

  private static boolean compare(BinaryKind kind, long x, long y) {
    return switch (kind) {
      case EQUAL -> x == y;
      case NOT_EQUAL -> x != y;
      case LESS -> x < y;
      case LESS_EQUAL -> x <= y;
      case GREATER -> x > y;
      case GREATER_EQUAL -> x >= y;
      default -> throw notComparison(kind);
    };
  }

  private static SonnetException notComparison(BinaryKind kind) {
    return new SonnetException("Binary " + kind + " needs BOOL operands");
  }

  static SonnetException divisionByZero(DType dtype, long dividend) {
    return new SonnetException(
        "Integer division by zero: "
            + dtype
            + " DIV of "
            + dividend
            + " by 0. Integer division has no infinity; mask zero divisors first (e.g. with where), "
            + "or cast to a floating dtype");
  }
}
