package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;

/** TODO */
final class IndexKernels {
  private IndexKernels() {}

  static void gather(CpuBuffer x, CpuBuffer indices, CpuBuffer out, int outer, int axisSize, int inner) {
    throw new UnsupportedOperationException("TODO");
  }

  static void scatterAdd(CpuBuffer updates, CpuBuffer indices, CpuBuffer out, int outer, int axisSize, int inner) {
    throw new UnsupportedOperationException("TODO");
  }
}
