package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;

/** TODO */
final class ElementwiseKernels {
  private ElementwiseKernels() {}

  static void fill(CpuBuffer out, double value) {
    throw new UnsupportedOperationException("TODO");
  }

  static void unary(UnaryKind kind, CpuBuffer x, CpuBuffer out, boolean vectorized) {
    throw new UnsupportedOperationException("TODO");
  }

  static void binary(BinaryKind kind, CpuBuffer a, long[] aStrides, CpuBuffer b, long[] bStrides, CpuBuffer out, int[] outShape, boolean vectorized) {
    throw new UnsupportedOperationException("TODO");
  }

  static void where(CpuBuffer cond, long[] condStrides, CpuBuffer a, long[] aStrides, CpuBuffer b, long[] bStrides, CpuBuffer out, int[] outShape) {
    throw new UnsupportedOperationException("TODO");
  }

  static void cast(CpuBuffer x, CpuBuffer out) {
    throw new UnsupportedOperationException("TODO");
  }
}
