package dev.sonnet.runtime.cpu;

import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.NE;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.tensor.DType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for the float32/float64 comparisons (EQUAL, NOT_EQUAL, LESS, LESS_EQUAL,
 * GREATER, GREATER_EQUAL) into BOOL rows, for the rows {@link VectorBinary} routes here (operand
 * strides 0 or 1). Each lane's mask bit is stored as one {@code boolean} with {@link
 * jdk.incubator.vector.VectorMask#intoArray}; the tail runs the scalar reference ({@link
 * ScalarBinary#compareF32}, {@link ScalarBinary#compareF64}).
 *
 * <p>Results are identical to the reference: the lanes use the same IEEE predicates (ordered, so
 * false when either side is NaN, except NOT_EQUAL, which is true; {@code -0.0 == 0.0}), and the
 * reference's widening of float32 to double is exact, so it orders floats the same way. LESS and
 * LESS_EQUAL run as GREATER and GREATER_EQUAL with the operands swapped ({@code x < y} exactly when
 * {@code y > x}, NaN included), which leaves four loops per dtype.
 */
final class VectorCompare {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  private VectorCompare() {}

  static void row(
      BinaryKind kind,
      DType dtype,
      Object a,
      int ao,
      int as,
      Object b,
      int bo,
      int bs,
      boolean[] o,
      int oo,
      int n) {
    switch (kind) {
      case LESS -> row(BinaryKind.GREATER, dtype, b, bo, bs, a, ao, as, o, oo, n);
      case LESS_EQUAL -> row(BinaryKind.GREATER_EQUAL, dtype, b, bo, bs, a, ao, as, o, oo, n);
      default -> {
        if (dtype == DType.FLOAT32) {
          float[] x = (float[]) a;
          float[] y = (float[]) b;
          int i = f32(kind, x, ao, as, y, bo, bs, o, oo, n);
          ScalarBinary.compareF32(kind, x, ao + i * as, as, y, bo + i * bs, bs, o, oo + i, n - i);
        } else {
          double[] x = (double[]) a;
          double[] y = (double[]) b;
          int i = f64(kind, x, ao, as, y, bo, bs, o, oo, n);
          ScalarBinary.compareF64(kind, x, ao + i * as, as, y, bo + i * bs, bs, o, oo + i, n - i);
        }
      }
    }
  }

  /**
   * The vector body for GREATER, GREATER_EQUAL, EQUAL and NOT_EQUAL; returns how many elements it
   * did. Each kind has its own loop so the JIT sees the operator as a constant.
   */
  private static int f32(
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
    int step = F.length();
    int end = F.loopBound(n);
    FloatVector sa = FloatVector.broadcast(F, as == 0 ? a[ao] : 0f);
    FloatVector sb = FloatVector.broadcast(F, bs == 0 ? b[bo] : 0f);
    int i = 0;
    switch (kind) {
      case GREATER -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.compare(GT, y).intoArray(o, oo + i);
        }
      }
      case GREATER_EQUAL -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.compare(GE, y).intoArray(o, oo + i);
        }
      }
      case EQUAL -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.compare(EQ, y).intoArray(o, oo + i);
        }
      }
      case NOT_EQUAL -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.compare(NE, y).intoArray(o, oo + i);
        }
      }
      default -> {
        return 0;
      }
    }
    return i;
  }

  /**
   * The vector body for GREATER, GREATER_EQUAL, EQUAL and NOT_EQUAL; returns how many elements it
   * did. Each kind has its own loop so the JIT sees the operator as a constant.
   */
  private static int f64(
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
    int step = D.length();
    int end = D.loopBound(n);
    DoubleVector sa = DoubleVector.broadcast(D, as == 0 ? a[ao] : 0.0);
    DoubleVector sb = DoubleVector.broadcast(D, bs == 0 ? b[bo] : 0.0);
    int i = 0;
    switch (kind) {
      case GREATER -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.compare(GT, y).intoArray(o, oo + i);
        }
      }
      case GREATER_EQUAL -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.compare(GE, y).intoArray(o, oo + i);
        }
      }
      case EQUAL -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.compare(EQ, y).intoArray(o, oo + i);
        }
      }
      case NOT_EQUAL -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.compare(NE, y).intoArray(o, oo + i);
        }
      }
      default -> {
        return 0;
      }
    }
    return i;
  }
}
