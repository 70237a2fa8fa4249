package dev.sonnet.export;

import dev.sonnet.backend.Backend;
import dev.sonnet.ops.ConvMaxPoolOp;
import dev.sonnet.ops.ConvOp;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.Elementwise;
import dev.sonnet.ops.FusedConvOp;
import dev.sonnet.ops.FusedMatMulOp;
import dev.sonnet.ops.LinearAlgebra;
import dev.sonnet.ops.PackedWeights;
import dev.sonnet.ops.PadMode;
import dev.sonnet.ops.PoolOp;
import dev.sonnet.ops.Reductions;
import dev.sonnet.ops.Scan;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.ops.WinogradConvOp;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * Compiles each {@link GraphOp} into a {@link Kernel} that runs it as one dispatched op, through
 * the public entry point that validates its arguments ({@link ShapeOps#reshape}, {@link
 * ShapeOps#slice}, ...), so a graph from a file can never make an op read outside its input. Sizes
 * are compiled {@link DimExpr}s evaluated against the call's symbol values.
 */
final class NodeKernels {
  private NodeKernels() {}

  /** One compiled node. */
  @FunctionalInterface
  interface Kernel {
    Tensor[] run(Tensor[] in, long[] symbols, Backend backend);
  }

  /** A {@link DimExpr} with its symbols as indices into the call's symbol values. */
  record Dim(long coefficient, int[] symbols, long constant) {
    static Dim of(DimExpr e, List<String> names) {
      int[] idx = new int[e.symbols().size()];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = names.indexOf(e.symbols().get(i));
        if (idx[i] < 0) {
          throw new IllegalArgumentException("unknown symbol " + e.symbols().get(i));
        }
      }
      return new Dim(e.coefficient(), idx, e.constant());
    }

    long eval(long[] values) {
      long p = coefficient;
      for (int s : symbols) {
        p = Math.multiplyExact(p, values[s]);
      }
      return Math.addExact(p, constant);
    }
  }

  static Dim[] dims(List<DimExpr> exprs, List<String> names) {
    Dim[] out = new Dim[exprs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Dim.of(exprs.get(i), names);
    }
    return out;
  }

  static int[] ints(Dim[] dims, long[] values, String what) {
    int[] out = new int[dims.length];
    for (int i = 0; i < out.length; i++) {
      long v = dims[i].eval(values);
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(what + "[" + i + "] evaluates to " + v);
      }
      out[i] = (int) v;
    }
    return out;
  }

  static int[] sizes(Dim[] dims, long[] values, String what) {
    int[] out = ints(dims, values, what);
    for (int i = 0; i < out.length; i++) {
      if (out[i] < 0) {
        throw new IllegalArgumentException(what + "[" + i + "] evaluates to " + out[i]);
      }
    }
    return out;
  }

  private static int[] toArray(List<Integer> l) {
    int[] out = new int[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = l.get(i);
    }
    return out;
  }

  private static Tensor[] one(Tensor t) {
    return new Tensor[] {t};
  }

  static Kernel compile(Node node, List<String> names) {
    return switch (node.op()) {
      case GraphOp.Unary u -> (in, s, b) -> one(Elementwise.unary(u.kind(), in[0]));
      case GraphOp.Binary bin -> (in, s, b) -> one(Elementwise.binary(bin.kind(), in[0], in[1]));
      case GraphOp.Cast c -> (in, s, b) -> one(Elementwise.cast(in[0], c.dtype()));
      case GraphOp.MatMul m ->
          (in, s, b) -> one(LinearAlgebra.matmul(in[0], in[1], m.transposeA(), m.transposeB()));
      case GraphOp.Reshape r -> {
        Dim[] d = dims(r.shape().dims(), names);
        yield (in, s, b) -> one(ShapeOps.reshape(in[0], sizes(d, s, "reshape shape")));
      }
      case GraphOp.BroadcastTo r -> {
        Dim[] d = dims(r.shape().dims(), names);
        yield (in, s, b) ->
            one(ShapeOps.broadcastTo(in[0], Shape.of(sizes(d, s, "broadcast_to shape"))));
      }
      case GraphOp.Permute p -> {
        int[] perm = toArray(p.perm());
        yield (in, s, b) -> one(ShapeOps.permute(in[0], perm));
      }
      case GraphOp.Slice sl -> {
        Dim[] begin = dims(sl.begin(), names);
        int[] step = toArray(sl.step());
        Dim[] size = dims(sl.size().dims(), names);
        yield (in, s, b) ->
            one(slice(in[0], ints(begin, s, "slice begin"), step, sizes(size, s, "slice size")));
      }
      case GraphOp.Split sp -> {
        Dim[] d = dims(sp.sizes(), names);
        yield (in, s, b) ->
            ShapeOps.split(in[0], sizes(d, s, "split sizes"), sp.axis()).toArray(new Tensor[0]);
      }
      case GraphOp.Concat c -> (in, s, b) -> one(ShapeOps.concat(c.axis(), in));
      case GraphOp.Pad p -> {
        int[] before = toArray(p.before());
        int[] after = toArray(p.after());
        int[][] paddings = new int[before.length][];
        for (int i = 0; i < before.length; i++) {
          paddings[i] = new int[] {before[i], after[i]};
        }
        yield (in, s, b) -> one(ShapeOps.pad(in[0], paddings, PadMode.CONSTANT, p.value()));
      }
      case GraphOp.Gather g -> (in, s, b) -> one(ShapeOps.gather(in[0], in[1], g.axis()));
      case GraphOp.Where w -> (in, s, b) -> one(Elementwise.where(in[0], in[1], in[2]));
      case GraphOp.Reduce r -> {
        int[] axes = toArray(r.axes());
        boolean keep = r.keepDims();
        yield switch (r.kind()) {
          case SUM -> (in, s, b) -> one(Reductions.sum(in[0], keep, axes));
          case PROD -> (in, s, b) -> one(Reductions.prod(in[0], keep, axes));
          case MAX -> (in, s, b) -> one(Reductions.max(in[0], keep, axes));
          case MIN -> (in, s, b) -> one(Reductions.min(in[0], keep, axes));
          case ARGMAX -> (in, s, b) -> one(Reductions.argmax(in[0], axes[0]));
          case ARGMIN -> (in, s, b) -> one(Reductions.argmin(in[0], axes[0]));
        };
      }
      case GraphOp.Conv c -> {
        ConvOp op = new ConvOp(c.params());
        yield (in, s, b) -> one(Dispatch.run1(op, in[0], in[1]));
      }
      case GraphOp.Pool p -> {
        PoolOp op = new PoolOp(p.kind(), toArray(p.window()), p.params());
        yield (in, s, b) -> one(Dispatch.run1(op, in[0]));
      }
      case GraphOp.Fill f -> {
        Dim[] d = dims(f.shape().dims(), names);
        yield (in, s, b) ->
            one(Tensor.full(b, f.dtype(), Shape.of(sizes(d, s, "fill shape")), f.value()));
      }
      case GraphOp.Scan sc -> scan(sc);
      case GraphOp.FusedMatMul f -> {
        FusedMatMulOp op =
            new FusedMatMulOp(
                f.transposeB(),
                f.hasBias(),
                f.activation(),
                f.constantWeight() ? new PackedWeights() : null);
        yield (in, s, b) -> one(Dispatch.run1(op, in));
      }
      case GraphOp.FusedConv f -> {
        FusedConvOp op = new FusedConvOp(f.params(), f.hasBias(), f.activation());
        yield (in, s, b) -> one(Dispatch.run1(op, in));
      }
      case GraphOp.WinogradFilter f -> (in, s, b) -> one(WinogradConvOp.transformFilter(in[0]));
      case GraphOp.ConvMaxPool f -> {
        ConvMaxPoolOp op = new ConvMaxPoolOp(f.params(), f.hasBias(), f.activation(), f.winograd());
        yield (in, s, b) -> one(Dispatch.run1(op, in));
      }
      case GraphOp.WinogradConv f -> {
        WinogradConvOp op = new WinogradConvOp(f.params(), f.hasBias(), f.activation());
        yield (in, s, b) -> one(Dispatch.run1(op, in));
      }
    };
  }

  /**
   * A scan as {@link Scan#eager}: a Java loop that runs the body's graph once per step, its inputs
   * (carried, this step's slices, captures) checked against the body's signature each time.
   */
  private static Kernel scan(GraphOp.Scan sc) {
    GraphRunner body = new GraphRunner("loop body", sc.body());
    int c = sc.carried();
    int q = sc.sequences();
    return (in, s, b) -> {
      List<Tensor> all = java.util.Arrays.asList(in);
      // The body's arguments: the captures stay, each step overwrites the carried and the slices
      // (the runner copies its inputs, so one array serves every step).
      Tensor[] args = in.clone();
      Scan.Result r =
          Scan.eager(
              (carried, slices) -> {
                System.arraycopy(carried, 0, args, 0, c);
                System.arraycopy(slices, 0, args, c, q);
                return body.run(args, List.of());
              },
              all.subList(0, c),
              all.subList(c, c + q),
              sc.axis());
      Tensor[] out = new Tensor[r.finalCarried().size() + r.outputs().size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = i < c ? r.finalCarried().get(i) : r.outputs().get(i - c);
      }
      return out;
    };
  }

  /** Validated slicing: {@code ShapeOps.slice} with the end each axis's window implies. */
  private static Tensor slice(Tensor x, int[] begin, int[] stepIn, int[] size) {
    int[] step = stepIn.clone();
    int rank = x.rank();
    if (begin.length != rank || step.length != rank || size.length != rank) {
      throw new IllegalArgumentException(
          "slice of a rank-" + rank + " tensor needs begin, step and size of length " + rank);
    }
    int[] end = new int[rank];
    for (int i = 0; i < rank; i++) {
      int n = x.dim(i);
      if (step[i] == 0) {
        throw new IllegalArgumentException("slice step of axis " + i + " is 0");
      }
      if (size[i] > 0) {
        long last = begin[i] + (long) step[i] * (size[i] - 1);
        if (begin[i] < 0 || begin[i] >= n || last < 0 || last >= n) {
          throw new IllegalArgumentException(
              "slice of axis "
                  + i
                  + " (size "
                  + n
                  + ") from "
                  + begin[i]
                  + " by "
                  + step[i]
                  + " for "
                  + size[i]
                  + " elements leaves the tensor");
        }
        long e = last + step[i];
        // A negative end means "from the back" in ShapeOps.slice; -(n + 1) is before the start.
        end[i] = e < 0 ? -(n + 1) : (int) Math.min(e, n);
      } else {
        end[i] = begin[i] = 0;
        step[i] = step[i] > 0 ? step[i] : 1;
      }
    }
    return ShapeOps.slice(x, begin, end, step);
  }
}
