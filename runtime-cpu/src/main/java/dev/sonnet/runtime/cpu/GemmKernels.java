package dev.sonnet.runtime.cpu;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.DType;

/**
 * Routes matrix products to the packed, register-blocked Vector API kernels ({@link VectorGemmF32},
 * {@link VectorGemmF64}), float32 products of at most four rows to {@link VectorGemvF32} (unless
 * {@code -Dsonnet.cpu.gemv=false}), or to the reference {@link ScalarGemm}. Only floating dtypes
 * are accepted.
 */
final class GemmKernels {
  private GemmKernels() {}

  static void gemm(GemmSpec spec, CpuBuffer a, CpuBuffer b, CpuBuffer c, boolean vectorized) {
    if (!c.dtype().isFloating()) {
      throw new SonnetException(
          "gemm needs FLOAT32 or FLOAT64 operands, got "
              + c.dtype()
              + "; cast integer tensors to a floating dtype first");
    }
    if (spec.batch() == 0 || spec.m() == 0 || spec.n() == 0) {
      return;
    }
    if (vectorized) {
      switch (c.dtype()) {
        case FLOAT32 -> {
          if (VectorGemvF32.handles(spec, DType.FLOAT32)) {
            VectorGemvF32.gemm(spec, a.f32(), b.f32(), c.f32(), null); // at most 4 rows
          } else {
            VectorGemmF32.gemm(spec, a.f32(), b.f32(), c.f32());
          }
        }
        case FLOAT64 -> VectorGemmF64.gemm(spec, a.f64(), b.f64(), c.f64());
        default -> throw new IllegalStateException();
      }
      return;
    }
    ScalarGemm.gemm(spec, a, b, c);
  }

  /**
   * The product then {@code epilogue}: fused into the float32 vector kernel, else the product and a
   * pass of {@link GemmEpilogueKernels#apply} over C (the reference the fused kernel is checked
   * against).
   */
  static void gemmEpilogue(
      GemmSpec spec,
      CpuBuffer a,
      CpuBuffer b,
      CpuBuffer c,
      GemmEpilogue.Epilogue epilogue,
      boolean vectorized) {
    if (vectorized && c.dtype() == DType.FLOAT32) {
      if (spec.batch() == 0 || spec.m() == 0 || spec.n() == 0) {
        return;
      }
      GemmEpilogueKernels.F32 e = GemmEpilogueKernels.F32.of(epilogue);
      if (VectorGemvF32.handles(spec, DType.FLOAT32)) {
        VectorGemvF32.gemm(spec, a.f32(), b.f32(), c.f32(), e);
      } else {
        VectorGemmF32.gemm(spec, a.f32(), b.f32(), c.f32(), e);
      }
      return;
    }
    gemm(spec, a, b, c, vectorized);
    if (spec.batch() > 0 && spec.m() > 0 && spec.n() > 0) {
      GemmEpilogueKernels.apply(spec, c, epilogue);
    }
  }
}
