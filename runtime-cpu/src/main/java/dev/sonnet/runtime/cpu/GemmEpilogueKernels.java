package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.backend.GemmSpec;

/**
 * The CPU side of {@link GemmEpilogue}: the epilogue's three steps on rows of C, with the same
 * arithmetic as the unfused kernels (a float addition as {@code binary ADD}, {@link
 * ScalarUnary#relu} / {@code max(v, 0)} as {@code unary RELU}, {@code mask > 0 ? v : 0} as {@code
 * where(greater(mask, 0), v, 0)}), so a fused product is bit-for-bit the unfused one.
 *
 * <p>{@link VectorGemmF32} calls {@link VectorEpilogueRows#rowsF32} on each strip of {@code MR}
 * rows right after the strip's last depth block, while those rows are still in L1 (not inside the
 * micro-kernel: its vector-op count must stay small for C2, see {@link VectorGemmF32}). Every other
 * path (the scalar reference backend, float64) runs the product and then {@link #apply} over C.
 */
final class GemmEpilogueKernels {
  private GemmEpilogueKernels() {}

  /** An epilogue unpacked to arrays for the float32 vector path; null fields mean "none". */
  record F32(float[] bias, boolean relu, float[] mask) {
    static F32 of(GemmEpilogue.Epilogue e) {
      return new F32(
          e.bias() == null ? null : ((CpuBuffer) e.bias()).f32(),
          e.activation() == Activation.RELU,
          e.reluMask() == null ? null : ((CpuBuffer) e.reluMask()).f32());
    }
  }

  /** Applies {@code e} to every element of C as {@code spec} lays it out: the reference path. */
  static void apply(GemmSpec s, CpuBuffer c, GemmEpilogue.Epilogue e) {
    int m = s.m();
    int n = s.n();
    CpuParallel.parallelFor(
        s.batch() * m,
        CpuParallel.grainFor(n),
        (from, to) -> {
          for (int r = from; r < to; r++) {
            int item = r / m;
            int i = r - item * m;
            int row = (int) (s.cOffset() + item * s.cBatchStride() + (long) i * s.ldc());
            if (c.array() instanceof float[] cf) {
              rowF32(cf, row, n, e);
            } else {
              rowF64((double[]) c.array(), row, n, e);
            }
          }
        });
  }

  private static void rowF32(float[] c, int row, int n, GemmEpilogue.Epilogue e) {
    float[] bias = e.bias() == null ? null : ((CpuBuffer) e.bias()).f32();
    float[] mask = e.reluMask() == null ? null : ((CpuBuffer) e.reluMask()).f32();
    boolean relu = e.activation() == Activation.RELU;
    for (int j = 0; j < n; j++) {
      float v = c[row + j];
      if (bias != null) {
        v = v + bias[j];
      }
      if (relu) {
        v = ScalarUnary.relu(v);
      }
      if (mask != null && !(mask[row + j] > 0f)) {
        v = 0f;
      }
      c[row + j] = v;
    }
  }

  private static void rowF64(double[] c, int row, int n, GemmEpilogue.Epilogue e) {
    double[] bias = e.bias() == null ? null : ((CpuBuffer) e.bias()).f64();
    double[] mask = e.reluMask() == null ? null : ((CpuBuffer) e.reluMask()).f64();
    boolean relu = e.activation() == Activation.RELU;
    for (int j = 0; j < n; j++) {
      double v = c[row + j];
      if (bias != null) {
        v = v + bias[j];
      }
      if (relu) {
        v = ScalarUnary.relu(v);
      }
      if (mask != null && !(mask[row + j] > 0.0)) {
        v = 0.0;
      }
      c[row + j] = v;
    }
  }
}
