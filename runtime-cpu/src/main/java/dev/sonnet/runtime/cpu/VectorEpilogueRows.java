package dev.sonnet.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 GEMM epilogue on the Vector API, applied by {@link VectorGemmF32} to each strip of C
 * while it is still in L1. Kept apart from {@link GemmEpilogueKernels} (the reference path) so that
 * a JVM without {@code jdk.incubator.vector} never loads a vector class: the scalar backend only
 * touches that one.
 */
final class VectorEpilogueRows {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private VectorEpilogueRows() {}

  /**
   * Applies {@code e} to {@code rows} rows of {@code cols} elements of C starting at {@code c[idx]}
   * (rows {@code ldc} apart), whose first column is column {@code j} of C (for the bias). The mask
   * is read at the same indices as C.
   */
  static void rowsF32(
      float[] c, int idx, int ldc, int rows, int j, int cols, GemmEpilogueKernels.F32 e) {
    float[] bias = e.bias();
    float[] mask = e.mask();
    boolean relu = e.relu();
    int vecEnd = S.loopBound(cols);
    int step = S.length();
    for (int r = 0; r < rows; r++, idx += ldc) {
      int q = 0;
      for (; q < vecEnd; q += step) {
        FloatVector v = FloatVector.fromArray(S, c, idx + q);
        if (bias != null) {
          v = v.add(FloatVector.fromArray(S, bias, j + q));
        }
        if (relu) {
          v = v.max(0f);
        }
        if (mask != null) {
          VectorMask<Float> on =
              FloatVector.fromArray(S, mask, idx + q).compare(VectorOperators.GT, 0f);
          v = FloatVector.zero(S).blend(v, on);
        }
        v.intoArray(c, idx + q);
      }
      for (; q < cols; q++) {
        float v = c[idx + q];
        if (bias != null) {
          v = v + bias[j + q];
        }
        if (relu) {
          v = ScalarUnary.relu(v);
        }
        if (mask != null && !(mask[idx + q] > 0f)) {
          v = 0f;
        }
        c[idx + q] = v;
      }
    }
  }
}
