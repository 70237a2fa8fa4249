package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;

/** TODO */
final class CopyKernels {
  private CopyKernels() {}

  static void copy(CpuBuffer src, long srcOffset, long[] srcStrides, CpuBuffer dst, long dstOffset, long[] dstStrides, int[] shape) {
    throw new UnsupportedOperationException("TODO");
  }
}
