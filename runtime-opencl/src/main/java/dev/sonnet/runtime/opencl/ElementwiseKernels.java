package dev.sonnet.runtime.opencl;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;

/**
 * Launches the typed elementwise kernels of {@code elementwise.cl}: unary, binary (a flat kernel
 * when the operands merge into one axis, a strided one otherwise), comparisons and casts. Validates
 * what the CPU runtime validates: kinds defined on the dtype, and integer division by zero (the
 * divisor is read back first, since a kernel cannot throw).
 */
final class ElementwiseKernels {
  private static final String FILE = "elementwise.cl";
  private static final String HALF_FILE = "half.cl";

  private final OpenClBackend backend;

  ElementwiseKernels(OpenClBackend backend) {
    this.backend = backend;
  }

  void unary(UnaryKind kind, OpenClBuffer x, OpenClBuffer out) {
    checkUnary(kind, x.dtype());
    int n = OpenClBackend.elementCount(x.size(), "unary " + kind);
    KernelProgram p = backend.programs().typed(FILE, x.dtype(), "");
    backend
        .call(p, "unary")
        .mem(x)
        .mem(out)
        .i32(n)
        .i32(unaryCode(kind))
        .launch(n, backend.localSize());
  }

  void binary(
      BinaryKind kind,
      OpenClBuffer a,
      long[] aStrides,
      OpenClBuffer b,
      long[] bStrides,
      OpenClBuffer out,
      int[] outShape) {
    DType dtype = a.dtype();
    checkBinary(kind, dtype);
    StridedLayout layout =
        StridedLayout.of(
            outShape, new long[3], aStrides, bStrides, StridedLayout.denseStrides(outShape));
    int n = OpenClBackend.elementCount(layout.count(), "binary " + kind);
    if (n == 0) {
      return;
    }
    if (kind == BinaryKind.DIV && !dtype.isFloating()) {
      checkDivisors(dtype, a, b, layout);
    }
    boolean bool = kind.returnsBool();
    KernelProgram p = backend.programs().typed(FILE, dtype, "");
    String prefix = bool ? "compare" : "binary";
    int code = binaryCode(kind);
    if (layout.flat()) {
      backend
          .call(p, prefix + "_flat")
          .mem(a)
          .i64(0)
          .i64(layout.flatStride(0))
          .mem(b)
          .i64(0)
          .i64(layout.flatStride(1))
          .mem(out)
          .i64(0)
          .i32(n)
          .i32(code)
          .launch(n, backend.localSize());
      return;
    }
    for (StridedLayout.Chunk c : layout.chunks()) {
      int count = c.count();
      backend
          .call(p, prefix + "_strided")
          .mem(a)
          .i64(c.offsets()[0])
          .long8(c.strides8()[0])
          .mem(b)
          .i64(c.offsets()[1])
          .long8(c.strides8()[1])
          .mem(out)
          .i64(c.start())
          .i32(count)
          .int8(c.shape8())
          .i32(c.rank())
          .i32(code)
          .launch(count, backend.localSize());
    }
  }

  void cast(OpenClBuffer x, OpenClBuffer out) {
    if (x.dtype().isReducedPrecision() || out.dtype().isReducedPrecision()) {
      castHalf(x, out);
      return;
    }
    int n = OpenClBackend.elementCount(x.size(), "cast");
    backend.programs().requireSupported(out.dtype());
    KernelProgram p = backend.programs().typed(FILE, x.dtype(), "");
    String kernel =
        switch (out.dtype()) {
          case FLOAT32 -> "cast_to_f32";
          case FLOAT64 -> "cast_to_f64";
          case INT32 -> "cast_to_i32";
          case INT64 -> "cast_to_i64";
          case BOOL -> "cast_to_bool";
          case BFLOAT16, FLOAT16 -> throw new AssertionError(out.dtype());
        };
    backend.call(p, kernel).mem(x).mem(out).i32(n).launch(n, backend.localSize());
  }

  /**
   * Casts to or from a 16-bit float through float32, as the CPU runtime does: a 16-bit value widens
   * exactly; any other source is first converted to float32 (rounded to nearest) and then rounded
   * to 16 bits. {@code half.cl} holds the two float32 conversions for each format.
   */
  private void castHalf(OpenClBuffer x, OpenClBuffer out) {
    int n = OpenClBackend.elementCount(x.size(), "cast");
    OpenClBuffer wide = x;
    if (x.dtype().isReducedPrecision()) {
      wide = (OpenClBuffer) backend.allocateUninitialized(DType.FLOAT32, n);
      halfKernel(x.dtype() == DType.BFLOAT16 ? "bf16_to_f32" : "f16_to_f32", x, wide, n);
    } else if (x.dtype() != DType.FLOAT32) {
      wide = (OpenClBuffer) backend.allocateUninitialized(DType.FLOAT32, n);
      cast(x, wide);
    }
    if (out.dtype().isReducedPrecision()) {
      halfKernel(out.dtype() == DType.BFLOAT16 ? "f32_to_bf16" : "f32_to_f16", wide, out, n);
    } else {
      cast(wide, out);
    }
    if (wide != x) {
      wide.release();
    }
  }

  private void halfKernel(String kernel, OpenClBuffer in, OpenClBuffer out, int n) {
    KernelProgram p = backend.programs().plain(HALF_FILE);
    backend.call(p, kernel).mem(in).mem(out).i32(n).launch(n, backend.localSize());
  }

  /** The kind's code in {@code elementwise.cl} ({@code U_*}). */
  static int unaryCode(UnaryKind kind) {
    return switch (kind) {
      case NEG -> 0;
      case ABS -> 1;
      case EXP -> 2;
      case LOG -> 3;
      case LOG1P -> 4;
      case SQRT -> 5;
      case RSQRT -> 6;
      case SQUARE -> 7;
      case TANH -> 8;
      case SIGMOID -> 9;
      case RELU -> 10;
      case GELU -> 11;
      case SOFTPLUS -> 12;
      case SIGN -> 13;
      case SIN -> 14;
      case COS -> 15;
      case RECIPROCAL -> 16;
      case NORMAL_CDF -> 17;
      case LOGICAL_NOT -> 18;
    };
  }

  /** The kind's code in {@code elementwise.cl} ({@code B_*}). */
  static int binaryCode(BinaryKind kind) {
    return switch (kind) {
      case ADD -> 0;
      case SUB -> 1;
      case MUL -> 2;
      case DIV -> 3;
      case POW -> 4;
      case MAXIMUM -> 5;
      case MINIMUM -> 6;
      case EQUAL -> 7;
      case NOT_EQUAL -> 8;
      case LESS -> 9;
      case LESS_EQUAL -> 10;
      case GREATER -> 11;
      case GREATER_EQUAL -> 12;
      case LOGICAL_AND -> 13;
      case LOGICAL_OR -> 14;
    };
  }

  static void checkUnary(UnaryKind kind, DType dtype) {
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

  static void checkBinary(BinaryKind kind, DType dtype) {
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

  /**
   * Integer division by zero is an error on the CPU; a kernel cannot throw, so the divisors are
   * read back (waiting for the queue) and, if one is zero, the first zero divisor in output order
   * is reported with its dividend.
   */
  private void checkDivisors(DType dtype, OpenClBuffer a, OpenClBuffer b, StridedLayout layout) {
    long[] divisors = backend.readIndices(b);
    boolean zero = false;
    for (long d : divisors) {
      zero |= d == 0;
    }
    if (!zero) {
      return;
    }
    long[] dividends = backend.readIndices(a);
    for (StridedLayout.Chunk c : layout.chunks()) {
      for (long i = 0; i < c.count(); i++) {
        long[] off = offsets(c, i);
        if (divisors[(int) off[1]] == 0) {
          throw divisionByZero(dtype, dividends[(int) off[0]]);
        }
      }
    }
  }

  /** Operand offsets of linear index {@code i} within a chunk. */
  private static long[] offsets(StridedLayout.Chunk c, long i) {
    long[] off = c.offsets().clone();
    long rest = i;
    for (int d = KernelCall.MAX_RANK - 1; d >= 0; d--) {
      long coord = rest % c.shape8()[d];
      rest /= c.shape8()[d];
      for (int o = 0; o < off.length; o++) {
        off[o] += coord * c.strides8()[o][d];
      }
    }
    return off;
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
