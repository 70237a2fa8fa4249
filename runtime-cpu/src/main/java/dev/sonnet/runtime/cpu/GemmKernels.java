package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;

/** TODO */
final class GemmKernels {
  private GemmKernels() {}

  static void gemm(GemmSpec spec, CpuBuffer a, CpuBuffer b, CpuBuffer c, boolean vectorized) {
    throw new UnsupportedOperationException("TODO");
  }
}
