package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;

/** TODO */
final class PoolKernels {
  private PoolKernels() {}

  static void pool(PoolKind kind, ConvGeometry g, CpuBuffer x, CpuBuffer out, boolean vectorized) {
    throw new UnsupportedOperationException("TODO");
  }

  static void poolBackward(PoolKind kind, ConvGeometry g, CpuBuffer x, CpuBuffer gradOut, CpuBuffer gradIn, boolean vectorized) {
    throw new UnsupportedOperationException("TODO");
  }
}
