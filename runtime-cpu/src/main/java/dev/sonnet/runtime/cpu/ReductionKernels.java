package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;

/** TODO */
final class ReductionKernels {
  private ReductionKernels() {}

  static void reduce(ReduceKind kind, CpuBuffer x, int[] shape, boolean[] reduceAxes, CpuBuffer out, boolean vectorized) {
    throw new UnsupportedOperationException("TODO");
  }
}
