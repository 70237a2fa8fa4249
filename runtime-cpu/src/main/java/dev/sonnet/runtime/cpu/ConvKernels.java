package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;

/** TODO */
final class ConvKernels {
  private ConvKernels() {}

  static void im2col(ConvGeometry g, CpuBuffer x, CpuBuffer cols, boolean vectorized) {
    throw new UnsupportedOperationException("TODO");
  }

  static void col2im(ConvGeometry g, CpuBuffer cols, CpuBuffer x, boolean vectorized) {
    throw new UnsupportedOperationException("TODO");
  }
}
