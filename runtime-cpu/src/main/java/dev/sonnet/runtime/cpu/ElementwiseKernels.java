package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.HalfFloats;
import java.util.Arrays;

/**
 * Routes the elementwise kernels (fill, unary, binary, where, cast) to their scalar reference loops
 * ({@link ScalarUnary}, {@link ScalarBinary}, {@link ScalarWhere}, {@link CastKernels}) or, when
 * {@code vectorized} is set and the case is covered, to the Vector API loops ({@link VectorUnary},
 * {@link VectorBinary}, {@link VectorWhere}), and splits large work across {@link CpuParallel}.
 *
 * <p>Broadcasting is handled by {@link StridedRows}: after merging axes, a binary operation (or a
 * where) is a sequence of rows with one inner stride per operand. The vector path covers float rows
 * whose operand strides are 0 or 1 (same-shape, scalar and row broadcasts; for where, a contiguous
 * condition); everything else takes the scalar row loop. A buffer that is a single row is split by
 * elements, otherwise by rows.
 *
 * <p><b>Same result for any thread count.</b> A vector loop may round differently from its scalar
 * tail (float32 RSQRT: one float rounding per operation in lanes, one rounding of a double result
 * in the tail), so an element must not move between the two with the split: element splits start
 * their chunks on multiples of {@link CpuParallel#VECTOR_ALIGNMENT}, and row splits keep every row
 * whole, so each element takes the same path whatever the thread count.
 */
final class ElementwiseKernels {
  /** Relative cost of one element of a transcendental function vs. one add, for the grain. */
  private static final int TRANSCENDENTAL_COST = 16;

  private ElementwiseKernels() {}

  static void fill(CpuBuffer out, double value) {
    // Arrays.fill compiles to the JIT's vectorised fill stub; an explicit vector loop adds nothing.
    switch (out.dtype()) {
      case FLOAT32 -> Arrays.fill(out.f32(), (float) value);
      case FLOAT64 -> Arrays.fill(out.f64(), value);
      case INT32 -> Arrays.fill(out.i32(), (int) value);
      case INT64 -> Arrays.fill(out.i64(), (long) value);
      case BOOL -> Arrays.fill(out.bool(), value != 0);
      case BFLOAT16, FLOAT16 ->
          Arrays.fill(out.f16Bits(), HalfFloats.toBits(out.dtype(), (float) value));
    }
  }

  static void unary(UnaryKind kind, CpuBuffer x, CpuBuffer out, boolean vectorized) {
    ScalarUnary.check(kind, x.dtype());
    int n = x.length();
    boolean vector = vectorized && VectorUnary.supports(kind, x.dtype());
    int grain = Math.max(CpuParallel.grainFor(isCheap(kind) ? 1 : TRANSCENDENTAL_COST), 1024);
    if (CpuParallel.runsInline(n, grain)) {
      // Small work: call the loop directly, no body object.
      unaryRange(kind, x, out, 0, n, vector);
      return;
    }
    CpuParallel.parallelFor(
        n,
        grain,
        CpuParallel.VECTOR_ALIGNMENT,
        (from, to) -> unaryRange(kind, x, out, from, to, vector));
  }

  private static void unaryRange(
      UnaryKind kind, CpuBuffer x, CpuBuffer out, int from, int to, boolean vector) {
    if (vector) {
      VectorUnary.run(kind, x, out, from, to);
    } else {
      ScalarUnary.run(kind, x, out, from, to);
    }
  }

  /**
   * The stride of an operand that can be walked as one flat row of {@code shape}: 1 when it is
   * dense in {@code shape}, 0 when it is a single broadcast element, -1 otherwise. Allocates
   * nothing, so same-shape and scalar operations skip {@link StridedRows} entirely.
   */
  static int flatStride(long[] strides, int[] shape) {
    boolean dense = true;
    boolean zero = true;
    long acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] == 1) {
        continue;
      }
      long st = strides[d];
      dense &= st == acc;
      zero &= st == 0;
      acc *= shape[d];
    }
    return dense ? 1 : zero ? 0 : -1;
  }

  static void binary(
      BinaryKind kind,
      CpuBuffer a,
      long[] aStrides,
      CpuBuffer b,
      long[] bStrides,
      CpuBuffer out,
      int[] outShape,
      boolean vectorized) {
    DType dtype = a.dtype();
    ScalarBinary.check(kind, dtype);
    int cost = kind == BinaryKind.POW ? TRANSCENDENTAL_COST : 1;
    int fa = flatStride(aStrides, outShape);
    int fb = flatStride(bStrides, outShape);
    if (fa >= 0 && fb >= 0) {
      // Same shape, or a scalar operand: one flat row, no layout objects.
      int n = (int) StridedRows.volume(outShape);
      Object av = a.array();
      Object bv = b.array();
      Object ov = out.array();
      boolean vector = vectorized && VectorBinary.supports(kind, dtype, fa, fb);
      int grain = Math.max(CpuParallel.grainFor(cost), 1024);
      if (CpuParallel.runsInline(n, grain)) {
        binaryRow(vector, kind, dtype, av, 0, fa, bv, 0, fb, ov, 0, n);
        return;
      }
      CpuParallel.parallelFor(
          n,
          grain,
          CpuParallel.VECTOR_ALIGNMENT,
          (from, to) ->
              binaryRow(
                  vector, kind, dtype, av, from * fa, fa, bv, from * fb, fb, ov, from, to - from));
      return;
    }
    StridedRows layout =
        new StridedRows(
            outShape, new long[3], aStrides, bStrides, StridedRows.denseStrides(outShape));
    Object av = a.array();
    Object bv = b.array();
    Object ov = out.array();
    int as = layout.innerStride(0);
    int bs = layout.innerStride(1);
    boolean vector = vectorized && VectorBinary.supports(kind, dtype, as, bs);
    int len = layout.rowLength();
    if (layout.rows() == 1) {
      int ao = layout.cursor(0).offset(0);
      int bo = layout.cursor(0).offset(1);
      int grain = Math.max(CpuParallel.grainFor(cost), 1024);
      CpuParallel.parallelFor(
          len,
          grain,
          CpuParallel.VECTOR_ALIGNMENT,
          (from, to) -> {
            if (vector) {
              VectorBinary.row(
                  kind, dtype, av, ao + from * as, as, bv, bo + from * bs, bs, ov, from, to - from);
            } else {
              ScalarBinary.row(
                  kind, dtype, av, ao + from * as, as, bv, bo + from * bs, bs, ov, from, to - from);
            }
          });
      return;
    }
    CpuParallel.parallelFor(
        layout.rows(),
        CpuParallel.grainFor((long) len * cost),
        (from, to) -> {
          StridedRows.Cursor c = layout.cursor(from);
          for (int r = from; r < to; r++, c.next()) {
            if (vector) {
              VectorBinary.row(
                  kind, dtype, av, c.offset(0), as, bv, c.offset(1), bs, ov, c.offset(2), len);
            } else {
              ScalarBinary.row(
                  kind, dtype, av, c.offset(0), as, bv, c.offset(1), bs, ov, c.offset(2), len);
            }
          }
        });
  }

  private static void binaryRow(
      boolean vector,
      BinaryKind kind,
      DType dtype,
      Object av,
      int ao,
      int as,
      Object bv,
      int bo,
      int bs,
      Object ov,
      int oo,
      int n) {
    if (vector) {
      VectorBinary.row(kind, dtype, av, ao, as, bv, bo, bs, ov, oo, n);
    } else {
      ScalarBinary.row(kind, dtype, av, ao, as, bv, bo, bs, ov, oo, n);
    }
  }

  static void where(
      CpuBuffer cond,
      long[] condStrides,
      CpuBuffer a,
      long[] aStrides,
      CpuBuffer b,
      long[] bStrides,
      CpuBuffer out,
      int[] outShape,
      boolean vectorized) {
    DType dtype = out.dtype();
    int fc = flatStride(condStrides, outShape);
    int fa = flatStride(aStrides, outShape);
    int fb = flatStride(bStrides, outShape);
    if (fc >= 0 && fa >= 0 && fb >= 0) {
      int n = (int) StridedRows.volume(outShape);
      boolean[] cv = cond.bool();
      Object av = a.array();
      Object bv = b.array();
      Object ov = out.array();
      boolean vector = vectorized && VectorWhere.supports(dtype, fc, fa, fb);
      int grain = Math.max(CpuParallel.grainFor(1), 1024);
      if (CpuParallel.runsInline(n, grain)) {
        whereRow(vector, cv, 0, fc, av, 0, fa, bv, 0, fb, ov, 0, n);
        return;
      }
      CpuParallel.parallelFor(
          n,
          grain,
          CpuParallel.VECTOR_ALIGNMENT,
          (from, to) ->
              whereRow(
                  vector, cv, from * fc, fc, av, from * fa, fa, bv, from * fb, fb, ov, from,
                  to - from));
      return;
    }
    StridedRows layout =
        new StridedRows(
            outShape,
            new long[4],
            condStrides,
            aStrides,
            bStrides,
            StridedRows.denseStrides(outShape));
    boolean[] cv = cond.bool();
    Object av = a.array();
    Object bv = b.array();
    Object ov = out.array();
    int cs = layout.innerStride(0);
    int as = layout.innerStride(1);
    int bs = layout.innerStride(2);
    boolean vector = vectorized && VectorWhere.supports(dtype, cs, as, bs);
    int len = layout.rowLength();
    CpuParallel.parallelFor(
        layout.rows(),
        CpuParallel.grainFor(len),
        (from, to) -> {
          StridedRows.Cursor c = layout.cursor(from);
          for (int r = from; r < to; r++, c.next()) {
            whereRow(
                vector,
                cv,
                c.offset(0),
                cs,
                av,
                c.offset(1),
                as,
                bv,
                c.offset(2),
                bs,
                ov,
                c.offset(3),
                len);
          }
        });
  }

  private static void whereRow(
      boolean vector,
      boolean[] c,
      int co,
      int cs,
      Object a,
      int ao,
      int as,
      Object b,
      int bo,
      int bs,
      Object out,
      int oo,
      int n) {
    if (vector) {
      VectorWhere.row(c, co, a, ao, as, b, bo, bs, out, oo, n);
    } else {
      ScalarWhere.row(c, co, cs, a, ao, as, b, bo, bs, out, oo, n);
    }
  }

  static void cast(CpuBuffer x, CpuBuffer out) {
    int n = x.length();
    int grain = Math.max(CpuParallel.grainFor(1), 1024);
    if (CpuParallel.runsInline(n, grain)) {
      CastKernels.cast(x, out, 0, n);
      return;
    }
    CpuParallel.parallelFor(
        n, grain, CpuParallel.VECTOR_ALIGNMENT, (from, to) -> CastKernels.cast(x, out, from, to));
  }

  private static boolean isCheap(UnaryKind kind) {
    return switch (kind) {
      case NEG, ABS, SQUARE, RELU, SIGN, RECIPROCAL, LOGICAL_NOT -> true;
      default -> false;
    };
  }
}
