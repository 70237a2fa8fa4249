package dev.sonnet.ops;

import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.Tensor;

/**
 * One product's weight matrix, packed once into the backend's own product layout ({@link
 * GemmEpilogue#packRightOperand}) and reused for as long as the same weight tensor comes back, so
 * that each call skips packing it: the inference optimizer of a loaded graph gives one to each
 * dense layer whose weight is a variable or a constant ({@link FusedMatMulOp}).
 *
 * <p><b>Why identity is enough.</b> A variable's value is never written in place: an assignment or
 * an optimizer update makes a new tensor and swaps it in ({@code Variable.assignUpdate} rejects an
 * update that returns the old memory), and a graph constant is never written. So the same tensor
 * object means the same values, and a new value is a new object, which is packed anew. Costs one
 * more copy of the weights in memory. Safe to share between threads: a race packs twice.
 */
public final class PackedWeights {
  /** The last weight packed and its packed copy. */
  private record Entry(Tensor weight, DeviceBuffer packed) {}

  private volatile Entry last;

  /**
   * The packed copy of {@code w} for products shaped like {@code spec} (the same {@code k}, {@code
   * n} and transposition on every call), made on the first call for this tensor that the backend
   * packs for; null when it declines (for this dtype, or for a product of this few rows), which is
   * not remembered, so a later product of more rows still gets the packed copy.
   */
  DeviceBuffer packedFor(Tensor w, GemmSpec spec, GemmEpilogue backend) {
    Entry e = last;
    if (e != null && e.weight() == w) {
      return e.packed();
    }
    DeviceBuffer packed = backend.packRightOperand(spec, w.buffer());
    if (packed != null) {
      last = new Entry(w, packed);
    }
    return packed;
  }
}
