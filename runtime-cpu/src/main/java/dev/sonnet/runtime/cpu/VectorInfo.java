package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;

/** TODO */
final class VectorInfo {
  private VectorInfo() {}

  static String describe() {
    throw new UnsupportedOperationException("TODO");
  }
}
