package dev.sonnet.runtime.cpu;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.DType;

/**
 * Routes reductions: validates what only the kernel can (one axis for the arg kinds, no empty axis
 * for MAX, MIN and the args), then runs the Vector API loops of {@link VectorReductions} for float
 * SUM/MAX/MIN in the layouts they cover, and {@link ScalarReductions} otherwise.
 */
final class ReductionKernels {
  private ReductionKernels() {}

  static void reduce(
      ReduceKind kind,
      CpuBuffer x,
      int[] shape,
      boolean[] reduceAxes,
      CpuBuffer out,
      boolean vectorized) {
    long reducedCount = 1;
    int axes = 0;
    int axis = -1;
    for (int d = 0; d < shape.length; d++) {
      if (reduceAxes[d]) {
        reducedCount *= shape[d];
        axes++;
        axis = d;
      }
    }
    boolean arg = kind == ReduceKind.ARGMAX || kind == ReduceKind.ARGMIN;
    if (arg && axes != 1) {
      throw new SonnetException(kind + " reduces exactly one axis; " + axes + " were given");
    }
    if (reducedCount == 0
        && out.length() > 0
        && kind != ReduceKind.SUM
        && kind != ReduceKind.PROD) {
      throw new SonnetException(
          kind
              + " of an empty axis is undefined (shape "
              + java.util.Arrays.toString(shape)
              + "); there is no identity value to return");
    }
    if (arg) {
      int outer = 1;
      for (int d = 0; d < axis; d++) {
        outer *= shape[d];
      }
      int inner = 1;
      for (int d = axis + 1; d < shape.length; d++) {
        inner *= shape[d];
      }
      ScalarReductions.arg(kind == ReduceKind.ARGMAX, x, outer, shape[axis], inner, out.i64());
      return;
    }
    if (vectorized
        && x.dtype().isFloating()
        && out.dtype() == x.dtype()
        && VectorReductions.tryReduce(kind, x, shape, reduceAxes, out)) {
      return;
    }
    ScalarReductions.reduce(kind, x, shape, reduceAxes, out);
  }

  /** Whether {@code dtype} and {@code kind} are a float SUM, MAX or MIN. */
  static boolean isVectorCandidate(ReduceKind kind, DType dtype) {
    return dtype.isFloating()
        && (kind == ReduceKind.SUM || kind == ReduceKind.MAX || kind == ReduceKind.MIN);
  }
}
