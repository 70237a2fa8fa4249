package dev.sonnet.runtime.opencl;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.DType;
import java.util.Arrays;

/**
 * Launches the reductions of {@code reduce.cl}.
 *
 * <p>The host splits the (dense) input's axes into kept and reduced ones, drops axes of size 1 and
 * merges neighbours of the same kind, so that, say, a row sum of {@code [a, b, c]} over the last
 * two axes is {@code [a] x [b*c]}. Then: with few outputs and many elements each (a full sum, a
 * mean over a large batch), one work-group per output folds its share and combines in local memory;
 * otherwise one work-item per output loops over its elements. ARGMAX and ARGMIN run one work-item
 * per {@code (outer, inner)} pair.
 */
final class ReductionKernels {
  private static final String FILE = "reduce.cl";

  /** Reduced elements per output above which a work-group shares one output. */
  private static final int GROUP_THRESHOLD = 256;

  private final OpenClBackend backend;

  ReductionKernels(OpenClBackend backend) {
    this.backend = backend;
  }

  void reduce(
      ReduceKind kind, OpenClBuffer x, int[] shape, boolean[] reduceAxes, OpenClBuffer out) {
    DType dtype = x.dtype();
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
    if (dtype == DType.BOOL && (kind == ReduceKind.SUM || kind == ReduceKind.PROD)) {
      throw new SonnetException(
          "Reduction "
              + kind
              + " is not defined on bool tensors; cast to "
              + "an integer dtype first (e.g. to count true values)");
    }
    if (reducedCount == 0 && out.size() > 0 && kind != ReduceKind.SUM && kind != ReduceKind.PROD) {
      throw new SonnetException(
          kind
              + " of an empty axis is undefined (shape "
              + Arrays.toString(shape)
              + "); there is no identity value to return");
    }
    int nOut = OpenClBackend.elementCount(out.size(), "reduce " + kind);
    if (nOut == 0) {
      return;
    }
    KernelProgram p = backend.programs().typed(FILE, dtype, "");
    if (arg) {
      int outer = 1;
      for (int d = 0; d < axis; d++) {
        outer *= shape[d];
      }
      int inner = 1;
      for (int d = axis + 1; d < shape.length; d++) {
        inner *= shape[d];
      }
      backend
          .call(p, "arg_reduce")
          .mem(x)
          .mem(out)
          .i32(outer)
          .i32(shape[axis])
          .i32(inner)
          .i32(kind == ReduceKind.ARGMAX ? 1 : 0)
          .launch((long) outer * inner, backend.localSize());
      return;
    }
    Split s = Split.of(shape, reduceAxes);
    int count = OpenClBackend.elementCount(reducedCount, "reduce " + kind);
    int code = switch (kind) { // the kind codes of reduce.cl
          case SUM -> 0;
          case PROD -> 1;
          case MAX -> 2;
          default -> 3;
        };
    if (count >= GROUP_THRESHOLD
        && nOut < 4L * backend.device().computeUnits() * backend.localSize()) {
      backend
          .call(p, "reduce_group")
          .mem(x)
          .mem(out)
          .int8(s.keptShape)
          .long8(s.keptStrides)
          .i32(s.keptRank)
          .int8(s.reducedShape)
          .long8(s.reducedStrides)
          .i32(s.reducedRank)
          .i32(count)
          .i32(code)
          .enqueue(
              1, new long[] {(long) nOut * backend.localSize()}, new long[] {backend.localSize()});
      return;
    }
    // Serial: the innermost reduced axis is the inner loop.
    int[] outerShape = s.reducedShape.clone();
    long[] outerStrides = s.reducedStrides.clone();
    int rInner = 1;
    long rInnerStride = 0;
    int outerRank = s.reducedRank;
    if (s.reducedRank > 0) {
      rInner = outerShape[7];
      rInnerStride = outerStrides[7];
      System.arraycopy(outerShape, 0, outerShape, 1, 7);
      System.arraycopy(outerStrides, 0, outerStrides, 1, 7);
      outerShape[0] = 1;
      outerStrides[0] = 0;
      outerRank--;
    }
    int rOuter = count == 0 ? 0 : count / Math.max(rInner, 1);
    backend
        .call(p, "reduce_serial")
        .mem(x)
        .mem(out)
        .i32(nOut)
        .int8(s.keptShape)
        .long8(s.keptStrides)
        .i32(s.keptRank)
        .int8(outerShape)
        .long8(outerStrides)
        .i32(outerRank)
        .i32(rOuter)
        .i32(count == 0 ? 0 : rInner)
        .i64(rInnerStride)
        .i32(code)
        .launch(nOut, backend.localSize());
  }

  /** Kept and reduced axes (sizes and input strides), each merged and padded to eight. */
  static final class Split {
    final int[] keptShape = ones();
    final long[] keptStrides = new long[KernelCall.MAX_RANK];
    final int[] reducedShape = ones();
    final long[] reducedStrides = new long[KernelCall.MAX_RANK];
    int keptRank;
    int reducedRank;

    static Split of(int[] shape, boolean[] reduceAxes) {
      long[] strides = StridedLayout.denseStrides(shape);
      int[] ks = new int[shape.length];
      long[] kst = new long[shape.length];
      int[] rs = new int[shape.length];
      long[] rst = new long[shape.length];
      int kn = 0;
      int rn = 0;
      Boolean last = null;
      for (int d = 0; d < shape.length; d++) {
        if (shape[d] == 1) {
          continue;
        }
        boolean reduced = reduceAxes[d];
        if (reduced) {
          if (Boolean.TRUE.equals(last)) {
            rs[rn - 1] *= shape[d];
            rst[rn - 1] = strides[d];
          } else {
            rs[rn] = shape[d];
            rst[rn++] = strides[d];
          }
        } else if (Boolean.FALSE.equals(last)) {
          ks[kn - 1] *= shape[d];
          kst[kn - 1] = strides[d];
        } else {
          ks[kn] = shape[d];
          kst[kn++] = strides[d];
        }
        last = reduced;
      }
      if (kn > KernelCall.MAX_RANK || rn > KernelCall.MAX_RANK) {
        throw new SonnetException(
            "The OpenCL reduction handles at most "
                + KernelCall.MAX_RANK
                + " alternating groups of kept and reduced axes; shape "
                + Arrays.toString(shape)
                + " reducing "
                + Arrays.toString(reduceAxes)
                + " has "
                + kn
                + " kept and "
                + rn
                + " reduced groups. Reduce in two steps");
      }
      Split s = new Split();
      place(ks, kst, kn, s.keptShape, s.keptStrides);
      place(rs, rst, rn, s.reducedShape, s.reducedStrides);
      s.keptRank = kn;
      s.reducedRank = rn;
      return s;
    }

    private static void place(int[] shape, long[] strides, int n, int[] shape8, long[] strides8) {
      for (int i = 0; i < n; i++) {
        shape8[KernelCall.MAX_RANK - n + i] = shape[i];
        strides8[KernelCall.MAX_RANK - n + i] = strides[i];
      }
    }

    private static int[] ones() {
      int[] v = new int[KernelCall.MAX_RANK];
      Arrays.fill(v, 1);
      return v;
    }
  }
}
