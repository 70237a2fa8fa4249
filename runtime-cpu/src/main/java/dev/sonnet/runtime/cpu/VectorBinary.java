package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.tensor.DType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for float32/float64 arithmetic (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM) and,
 * through {@link VectorCompare}, comparisons, on rows whose operands are contiguous (inner stride
 * 1) or a broadcast scalar (inner stride 0): after {@link StridedRows} merges axes this covers
 * same-shape, scalar and row broadcasting. A scalar operand is broadcast into a vector once per
 * row. The tail, and every other case, runs the scalar reference ({@link ScalarBinary}); results
 * are bitwise identical to it, since each lane performs the same single IEEE operation (MAXIMUM and
 * MINIMUM with {@link Math#max}'s NaN and signed-zero rules, comparisons with Java's NaN rules).
 */
final class VectorBinary {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  private VectorBinary() {}

  /** Whether rows of this kind, dtype and inner strides have a vector loop. */
  static boolean supports(BinaryKind kind, DType dtype, int as, int bs) {
    boolean covered =
        switch (kind) {
          case ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM -> true;
          case EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL -> true;
          default -> false; // POW is transcendental; the logical kinds take BOOL operands
        };
    return covered
        && dtype.isFloating()
        && (as == 0 || as == 1)
        && (bs == 0 || bs == 1)
        && (as | bs) != 0;
  }

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
      VectorCompare.row(kind, dtype, a, ao, as, b, bo, bs, (boolean[]) out, oo, n);
      return;
    }
    if (dtype == DType.FLOAT32) {
      float[] x = (float[]) a;
      float[] y = (float[]) b;
      float[] o = (float[]) out;
      int i = f32(kind, x, ao, as, y, bo, bs, o, oo, n);
      ScalarBinary.f32(kind, x, ao + i * as, as, y, bo + i * bs, bs, o, oo + i, n - i);
    } else {
      double[] x = (double[]) a;
      double[] y = (double[]) b;
      double[] o = (double[]) out;
      int i = f64(kind, x, ao, as, y, bo, bs, o, oo, n);
      ScalarBinary.f64(kind, x, ao + i * as, as, y, bo + i * bs, bs, o, oo + i, n - i);
    }
  }

  /** The vector body; returns how many elements it did. A stride-0 operand is read once. */
  private static int f32(
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
    int step = F.length();
    int end = F.loopBound(n);
    FloatVector sa = FloatVector.broadcast(F, as == 0 ? a[ao] : 0f);
    FloatVector sb = FloatVector.broadcast(F, bs == 0 ? b[bo] : 0f);
    int i = 0;
    switch (kind) {
      case ADD -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.add(y).intoArray(o, oo + i);
        }
      }
      case SUB -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.sub(y).intoArray(o, oo + i);
        }
      }
      case MUL -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.mul(y).intoArray(o, oo + i);
        }
      }
      case DIV -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.div(y).intoArray(o, oo + i);
        }
      }
      case MAXIMUM -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.max(y).intoArray(o, oo + i);
        }
      }
      case MINIMUM -> {
        for (; i < end; i += step) {
          FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
          FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
          x.min(y).intoArray(o, oo + i);
        }
      }
      default -> {
        return 0;
      }
    }
    return i;
  }

  /** The vector body; returns how many elements it did. A stride-0 operand is read once. */
  private static int f64(
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
    int step = D.length();
    int end = D.loopBound(n);
    DoubleVector sa = DoubleVector.broadcast(D, as == 0 ? a[ao] : 0.0);
    DoubleVector sb = DoubleVector.broadcast(D, bs == 0 ? b[bo] : 0.0);
    int i = 0;
    switch (kind) {
      case ADD -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.add(y).intoArray(o, oo + i);
        }
      }
      case SUB -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.sub(y).intoArray(o, oo + i);
        }
      }
      case MUL -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.mul(y).intoArray(o, oo + i);
        }
      }
      case DIV -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.div(y).intoArray(o, oo + i);
        }
      }
      case MAXIMUM -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.max(y).intoArray(o, oo + i);
        }
      }
      case MINIMUM -> {
        for (; i < end; i += step) {
          DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
          DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
          x.min(y).intoArray(o, oo + i);
        }
      }
      default -> {
        return 0;
      }
    }
    return i;
  }
}
