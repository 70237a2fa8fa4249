package dev.sonnet.runtime.cpu;

import dev.sonnet.tensor.DType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for {@code where(cond, a, b)} on float32 and float64 rows whose condition is
 * contiguous and whose operands are each contiguous or a broadcast scalar: the shape of ReLU's
 * gradient, {@code where(x > 0, g, 0)}.
 *
 * <p>The scalar reference ({@link ScalarWhere}) branches on every element, and a ReLU mask is close
 * to random, so about half of those branches mispredict. Here the condition is loaded as a lane
 * mask ({@link VectorMask#fromArray}) and selects with {@code blend}: no branch per element. Blend
 * moves bits without arithmetic, so results are bitwise identical to the reference; the tail runs
 * the reference.
 */
final class VectorWhere {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  private VectorWhere() {}

  /** Whether rows of this dtype and inner strides (condition, a, b) have a vector loop. */
  static boolean supports(DType dtype, int cs, int as, int bs) {
    return dtype.isFloating() && cs == 1 && (as == 0 || as == 1) && (bs == 0 || bs == 1);
  }

  /** One row with a contiguous condition; {@code as} and {@code bs} are 0 or 1. */
  static void row(
      boolean[] c,
      int co,
      Object a,
      int ao,
      int as,
      Object b,
      int bo,
      int bs,
      Object out,
      int oo,
      int n) {
    int i =
        out instanceof float[] o
            ? f32(c, co, (float[]) a, ao, as, (float[]) b, bo, bs, o, oo, n)
            : f64(c, co, (double[]) a, ao, as, (double[]) b, bo, bs, (double[]) out, oo, n);
    ScalarWhere.row(c, co + i, 1, a, ao + i * as, as, b, bo + i * bs, bs, out, oo + i, n - i);
  }

  /** The vector body; returns how many elements it did. A stride-0 operand is read once. */
  private static int f32(
      boolean[] c,
      int co,
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
    for (; i < end; i += step) {
      VectorMask<Float> m = VectorMask.fromArray(F, c, co + i);
      FloatVector x = as == 0 ? sa : FloatVector.fromArray(F, a, ao + i);
      FloatVector y = bs == 0 ? sb : FloatVector.fromArray(F, b, bo + i);
      y.blend(x, m).intoArray(o, oo + i);
    }
    return i;
  }

  /** The vector body; returns how many elements it did. A stride-0 operand is read once. */
  private static int f64(
      boolean[] c,
      int co,
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
    for (; i < end; i += step) {
      VectorMask<Double> m = VectorMask.fromArray(D, c, co + i);
      DoubleVector x = as == 0 ? sa : DoubleVector.fromArray(D, a, ao + i);
      DoubleVector y = bs == 0 ? sb : DoubleVector.fromArray(D, b, bo + i);
      y.blend(x, m).intoArray(o, oo + i);
    }
    return i;
  }
}
