package dev.sonnet.ops;

import dev.sonnet.backend.Backend;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Operations that move, select and combine elements.
 *
 * <p>{@code reshape}, {@code expandDims} and {@code squeeze} share the input's memory; the others
 * write a new dense tensor with one strided copy. Every operation here is differentiable in its
 * floating inputs (integer indices get no gradient), and each gradient has its input's shape.
 */
public final class ShapeOps {
  private ShapeOps() {}

  /** Views {@code x} as {@code shape} (same size, checked by the caller). */
  static Tensor reshapeTo(Tensor x, Shape shape) {
    if (x.shape().equals(shape)) {
      return x;
    }
    return Dispatch.run1(new ReshapeOp(shape), x);
  }

  /**
   * The same values in a new shape of the same size, sharing memory. One dimension may be {@code
   * -1}: it is inferred from the others.
   */
  public static Tensor reshape(Operand x, int... shape) {
    Tensor t = x.asTensor();
    return reshapeTo(t, inferShape(t.shape(), shape));
  }

  /**
   * {@code shape} with its -1 (if any) resolved so that it holds as many elements as {@code in}.
   */
  static Shape inferShape(Shape in, int[] shape) {
    int[] dims = shape.clone();
    int inferred = -1;
    long known = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == -1) {
        if (inferred >= 0) {
          throw new ShapeException(
              "reshape: only one dimension may be -1, got " + Arrays.toString(shape));
        }
        inferred = i;
      } else if (dims[i] < 0) {
        throw new ShapeException(
            "reshape: dimension "
                + i
                + " of "
                + Arrays.toString(shape)
                + " is negative; use sizes >= 0, or -1 for one inferred dimension");
      } else {
        known *= dims[i];
      }
    }
    long size = in.size();
    if (inferred >= 0) {
      if (known == 0) {
        throw new ShapeException(
            "reshape: cannot infer the -1 in "
                + Arrays.toString(shape)
                + " for "
                + in
                + ": the other dimensions multiply to 0, so any size fits; "
                + "give every dimension explicitly");
      }
      if (size % known != 0) {
        throw new ShapeException(
            "reshape: cannot reshape "
                + in
                + " ("
                + size
                + " elements) into "
                + Arrays.toString(shape)
                + ": the known dimensions multiply to "
                + known
                + ", which does not divide "
                + size);
      }
      dims[inferred] = Math.toIntExact(size / known);
    } else if (known != size) {
      throw new ShapeException(
          "reshape: cannot reshape "
              + in
              + " ("
              + size
              + " elements) into "
              + Arrays.toString(shape)
              + " ("
              + known
              + " elements); the sizes "
              + "must match, or use -1 for one dimension to infer it");
    }
    return Shape.of(dims);
  }

  /** Swaps the last two axes (matrix transpose); needs rank >= 2. */
  public static Tensor transpose(Operand x) {
    int rank = x.shape().rank();
    if (rank < 2) {
      throw new ShapeException(
          "transpose: swaps the last two axes, so it needs rank >= 2, got "
              + "shape "
              + x.shape()
              + "; for a vector, reshape it to a row or column first");
    }
    int[] perm = new int[rank];
    for (int i = 0; i < rank; i++) {
      perm[i] = i;
    }
    perm[rank - 2] = rank - 1;
    perm[rank - 1] = rank - 2;
    return Dispatch.run1(new PermuteOp(perm), x.asTensor());
  }

  /**
   * Reorders axes: output axis {@code i} is input axis {@code axes[i]} (negative axes count from
   * the end). {@code axes} must name every axis once. Copies the data.
   */
  public static Tensor permute(Operand x, int... axes) {
    Shape shape = x.shape();
    int rank = shape.rank();
    if (axes.length != rank) {
      throw new ShapeException(
          "permute: got "
              + axes.length
              + " axes "
              + Arrays.toString(axes)
              + " for shape "
              + shape
              + " of rank "
              + rank
              + "; name every axis once");
    }
    int[] perm = new int[rank];
    boolean[] seen = new boolean[rank];
    boolean identity = true;
    for (int i = 0; i < rank; i++) {
      int a = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (a < 0 || a >= rank || seen[a]) {
        throw new ShapeException(
            "permute: "
                + Arrays.toString(axes)
                + " is not a permutation "
                + "of the axes of shape "
                + shape
                + " (axis "
                + axes[i]
                + (a < 0 || a >= rank ? " is out of range)" : " repeats)"));
      }
      seen[a] = true;
      perm[i] = a;
      identity &= a == i;
    }
    Tensor t = x.asTensor();
    return identity ? t : Dispatch.run1(new PermuteOp(perm), t);
  }

  /**
   * Inserts a size-1 axis at {@code axis}, in {@code [-(rank+1), rank]} (-1 appends), sharing
   * memory.
   */
  public static Tensor expandDims(Operand x, int axis) {
    Shape shape = x.shape();
    int rank = shape.rank();
    int a = axis < 0 ? axis + rank + 1 : axis;
    if (a < 0 || a > rank) {
      throw new ShapeException(
          "expandDims: axis "
              + axis
              + " is out of range for shape "
              + shape
              + " (valid: "
              + -(rank + 1)
              + " to "
              + rank
              + ")");
    }
    int[] dims = new int[rank + 1];
    int[] in = shape.dims();
    System.arraycopy(in, 0, dims, 0, a);
    dims[a] = 1;
    System.arraycopy(in, a, dims, a + 1, rank - a);
    return reshapeTo(x.asTensor(), Shape.of(dims));
  }

  /**
   * Removes the given size-1 axes (every size-1 axis when none are given), sharing memory. Naming
   * an axis whose size is not 1 is an error.
   */
  public static Tensor squeeze(Operand x, int... axes) {
    Shape shape = x.shape();
    int[] in = shape.dims();
    boolean[] drop = new boolean[in.length];
    if (axes.length == 0) {
      for (int i = 0; i < in.length; i++) {
        drop[i] = in[i] == 1;
      }
    } else {
      for (int a : OpSupport.normalizeAxes("squeeze", shape, axes)) {
        if (in[a] != 1) {
          throw new ShapeException(
              "squeeze: axis "
                  + a
                  + " of shape "
                  + shape
                  + " has size "
                  + in[a]
                  + ", not 1; only size-1 axes can be removed");
        }
        drop[a] = true;
      }
    }
    int n = 0;
    for (boolean d : drop) {
      n += d ? 0 : 1;
    }
    int[] dims = new int[n];
    for (int i = 0, j = 0; i < in.length; i++) {
      if (!drop[i]) {
        dims[j++] = in[i];
      }
    }
    return reshapeTo(x.asTensor(), Shape.of(dims));
  }

  /**
   * Repeats size-1 (and missing leading) dimensions to reach {@code shape}, by NumPy's rules; the
   * result is a new dense tensor. The gradient sums over the repeated axes.
   */
  public static Tensor broadcastTo(Operand x, Shape shape) {
    Shape in = x.shape();
    if (in.equals(shape)) {
      return x.asTensor();
    }
    Shape b = Shape.broadcast("broadcastTo", in, shape);
    if (!b.equals(shape)) {
      throw new ShapeException(
          "broadcastTo: shape "
              + in
              + " cannot be broadcast to "
              + shape
              + " (it would need "
              + b
              + "); target dimensions must equal the input's or replace a 1");
    }
    return Dispatch.run1(new BroadcastToOp(shape), x.asTensor());
  }

  /** Joins tensors along {@code axis}; all other dimensions and the dtype must agree. */
  public static Tensor concat(int axis, Operand... xs) {
    return concat(axis, Arrays.asList(xs));
  }

  /** Joins tensors along {@code axis}; all other dimensions and the dtype must agree. */
  public static Tensor concat(int axis, List<? extends Operand> xs) {
    if (xs.isEmpty()) {
      throw new ShapeException("concat: needs at least one tensor");
    }
    Tensor[] ts = Dispatch.values(xs.toArray(new Operand[0]));
    Shape first = ts[0].shape();
    if (first.rank() == 0) {
      throw new ShapeException("concat: cannot join scalars (shape []); stack them instead");
    }
    int a = OpSupport.normalizeAxis("concat", first, axis);
    for (int i = 1; i < ts.length; i++) {
      Shape s = ts[i].shape();
      OpSupport.requireSameDtype("concat", ts[0], ts[i]);
      boolean ok = s.rank() == first.rank();
      for (int d = 0; ok && d < s.rank(); d++) {
        ok = d == a || s.dim(d) == first.dim(d);
      }
      if (!ok) {
        throw new ShapeException(
            "concat: shapes "
                + first
                + " and "
                + s
                + " (inputs 0 and "
                + i
                + ") cannot be joined along axis "
                + axis
                + "; all other dimensions must be equal");
      }
    }
    if (ts.length == 1) {
      return ts[0];
    }
    return Dispatch.run1(new ConcatOp(a), ts);
  }

  /** Stacks equally shaped tensors along a new axis {@code axis} in {@code [-(rank+1), rank]}. */
  public static Tensor stack(int axis, Operand... xs) {
    return stack(axis, Arrays.asList(xs));
  }

  /** Stacks equally shaped tensors along a new axis {@code axis} in {@code [-(rank+1), rank]}. */
  public static Tensor stack(int axis, List<? extends Operand> xs) {
    if (xs.isEmpty()) {
      throw new ShapeException("stack: needs at least one tensor");
    }
    Shape first = xs.get(0).shape();
    List<Tensor> expanded = new ArrayList<>(xs.size());
    for (int i = 0; i < xs.size(); i++) {
      Operand x = xs.get(i);
      if (!x.shape().equals(first)) {
        throw new ShapeException(
            "stack: shapes "
                + first
                + " and "
                + x.shape()
                + " (inputs 0 and "
                + i
                + ") differ; stacked tensors must all have one shape");
      }
      expanded.add(expandDims(x, axis));
    }
    int a = axis < 0 ? axis + first.rank() + 1 : axis;
    return concat(a, expanded);
  }

  /** Splits into {@code count} equal parts along {@code axis}; the size must divide evenly. */
  public static List<Tensor> split(Operand x, int count, int axis) {
    Shape shape = x.shape();
    int a = OpSupport.normalizeAxis("split", shape, axis);
    int n = shape.dim(a);
    if (count <= 0 || n % count != 0) {
      throw new ShapeException(
          "split: axis "
              + axis
              + " of shape "
              + shape
              + " has size "
              + n
              + ", which cannot be split into "
              + count
              + " equal parts; pass explicit sizes instead");
    }
    int[] sizes = new int[count];
    Arrays.fill(sizes, n / count);
    return split(x, sizes, axis);
  }

  /** Splits along {@code axis} into parts of the given sizes, which must add up to its size. */
  public static List<Tensor> split(Operand x, int[] sizes, int axis) {
    Tensor t = x.asTensor();
    Shape shape = t.shape();
    int a = OpSupport.normalizeAxis("split", shape, axis);
    long total = 0;
    for (int s : sizes) {
      if (s < 0) {
        throw new ShapeException(
            "split: sizes " + Arrays.toString(sizes) + " contain a negative " + "size");
      }
      total += s;
    }
    if (total != shape.dim(a)) {
      throw new ShapeException(
          "split: sizes "
              + Arrays.toString(sizes)
              + " add up to "
              + total
              + " but axis "
              + axis
              + " of shape "
              + shape
              + " has size "
              + shape.dim(a));
    }
    return List.of(Dispatch.run(new SplitOp(a, sizes.clone()), t));
  }

  /**
   * A strided slice with Python's rules: along axis {@code i}, elements {@code begin[i], begin[i] +
   * strides[i], ...} up to but excluding {@code end[i]}. Negative bounds count from the end;
   * out-of-range bounds are clamped; a negative stride walks backwards. Use {@link
   * Integer#MAX_VALUE} as an end meaning "through the last element" and, with a negative stride,
   * {@link Integer#MIN_VALUE} meaning "through the first". The arrays may be shorter than the rank
   * (the remaining axes are taken whole); {@code strides} may be null (all 1).
   */
  public static Tensor slice(Operand x, int[] begin, int[] end, int[] strides) {
    Tensor t = x.asTensor();
    SliceOp op = SliceOp.normalize(t.shape(), begin, end, strides);
    return op == null ? t : Dispatch.run1(op, t);
  }

  private static void requireIndices(String op, Tensor indices) {
    if (!indices.dtype().isInteger()) {
      throw new DTypeException(
          op
              + ": indices must be int32 or int64, got "
              + indices.dtype()
              + indices.shape()
              + "; cast them, e.g. indices.cast(DType.INT32)");
    }
  }

  /**
   * Selects slices of {@code x} along {@code axis} by int32 or int64 {@code indices} of any rank:
   * the result has shape {@code x.shape[:axis] + indices.shape + x.shape[axis+1:]}. An index
   * outside {@code [0, x.dim(axis))} is an error. The gradient scatters back (adding where an index
   * repeats).
   */
  public static Tensor gather(Operand x, Operand indices, int axis) {
    Tensor[] in = Dispatch.values(x, indices);
    requireIndices("gather", in[1]);
    if (in[0].rank() == 0) {
      throw new ShapeException("gather: cannot select from a scalar (shape [])");
    }
    int a = OpSupport.normalizeAxis("gather", in[0].shape(), axis);
    return Dispatch.run1(new GatherOp(a), in);
  }

  /**
   * {@code x} with {@code updates} added at {@code indices} along {@code axis}: the adjoint of
   * {@link #gather}, so {@code updates} has the shape a gather with these indices would return.
   * Repeated indices accumulate. Functional: {@code x} is unchanged. Gradients flow to {@code x}
   * (unchanged) and to {@code updates} (gathered).
   */
  public static Tensor scatterAdd(Operand x, Operand indices, Operand updates, int axis) {
    Tensor[] in = Dispatch.values(x, indices, updates);
    requireIndices("scatterAdd", in[1]);
    if (in[0].rank() == 0) {
      throw new ShapeException("scatterAdd: cannot scatter into a scalar (shape [])");
    }
    OpSupport.requireSameDtype("scatterAdd", in[0], in[2]);
    int a = OpSupport.normalizeAxis("scatterAdd", in[0].shape(), axis);
    Shape expected = GatherOp.outputShape(in[0].shape(), in[1].shape(), a);
    if (!in[2].shape().equals(expected)) {
      throw new ShapeException(
          "scatterAdd: updates have shape "
              + in[2].shape()
              + " but x of "
              + "shape "
              + in[0].shape()
              + " with indices of shape "
              + in[1].shape()
              + " along axis "
              + axis
              + " needs updates of shape "
              + expected);
    }
    return Dispatch.run1(new ScatterAddOp(a), in);
  }

  /**
   * One-hot encoding: the result has shape {@code indices.shape + [depth]}, 1 at each index and 0
   * elsewhere, in {@code dtype}. An index outside {@code [0, depth)} gives a row of zeros (as
   * TensorFlow's {@code one_hot}). No gradient.
   */
  public static Tensor oneHot(Operand indices, int depth, DType dtype) {
    Tensor idx = indices.asTensor();
    requireIndices("oneHot", idx);
    if (depth < 0) {
      throw new ShapeException("oneHot: depth must be >= 0, got " + depth);
    }
    Backend backend = idx.backend();
    Tensor range;
    if (idx.dtype() == DType.INT32) {
      int[] r = new int[depth];
      for (int i = 0; i < depth; i++) {
        r[i] = i;
      }
      range = Tensor.wrap(backend.upload(r), Shape.of(depth));
    } else {
      long[] r = new long[depth];
      for (int i = 0; i < depth; i++) {
        r[i] = i;
      }
      range = Tensor.wrap(backend.upload(r), Shape.of(depth));
    }
    return Elementwise.cast(expandDims(idx, -1).equal(range), dtype);
  }

  /**
   * Pads every axis {@code i} with {@code paddings[i][0]} elements before and {@code
   * paddings[i][1]} after. {@link PadMode#CONSTANT} fills with {@code constant}; {@link
   * PadMode#REFLECT} mirrors without the edge and needs each padding below the axis size; {@link
   * PadMode#SYMMETRIC} mirrors with the edge and needs each padding at most the axis size. The
   * gradient sums the border back into the elements it was copied from.
   */
  public static Tensor pad(Operand x, int[][] paddings, PadMode mode, double constant) {
    Shape shape = x.shape();
    int rank = shape.rank();
    if (paddings.length != rank) {
      throw new ShapeException(
          "pad: got "
              + paddings.length
              + " padding pairs for shape "
              + shape
              + " of rank "
              + rank
              + "; give one {before, after} pair per axis");
    }
    int[] before = new int[rank];
    int[] after = new int[rank];
    boolean any = false;
    for (int i = 0; i < rank; i++) {
      if (paddings[i] == null
          || paddings[i].length != 2
          || paddings[i][0] < 0
          || paddings[i][1] < 0) {
        throw new ShapeException(
            "pad: padding of axis "
                + i
                + " is "
                + Arrays.toString(paddings[i])
                + "; each must be a pair {before, after} of sizes >= 0");
      }
      before[i] = paddings[i][0];
      after[i] = paddings[i][1];
      any |= before[i] > 0 || after[i] > 0;
      if (mode != PadMode.CONSTANT) {
        int n = shape.dim(i);
        int limit = mode == PadMode.REFLECT ? n - 1 : n;
        if (before[i] > Math.max(limit, 0) || after[i] > Math.max(limit, 0)) {
          throw new ShapeException(
              "pad: "
                  + mode
                  + " padding of "
                  + Arrays.toString(paddings[i])
                  + " on axis "
                  + i
                  + " of shape "
                  + shape
                  + " is too large; "
                  + (mode == PadMode.REFLECT
                      ? "REFLECT needs each padding < "
                      : "SYMMETRIC needs " + "each padding <= ")
                  + "the axis size "
                  + n);
        }
      }
    }
    Tensor t = x.asTensor();
    if (!any) {
      return t;
    }
    if (mode == PadMode.CONSTANT) {
      return Dispatch.run1(new PadOp(before, after, constant), t);
    }
    for (int i = 0; i < rank; i++) {
      if (before[i] == 0 && after[i] == 0) {
        continue;
      }
      int[] idx = mirrorIndices(shape.dim(i), before[i], after[i], mode);
      Tensor indices = Tensor.wrap(t.backend().upload(idx), Shape.of(idx.length));
      t = Dispatch.run1(new GatherOp(i), t, indices);
    }
    return t;
  }

  /**
   * For mirror padding of an axis of size {@code n}: the source index of each of the {@code before
   * + n + after} output positions. REFLECT mirrors about the edge element ({@code before < n}),
   * SYMMETRIC about the edge itself ({@code before <= n}); both checked by the caller.
   */
  static int[] mirrorIndices(int n, int before, int after, PadMode mode) {
    int[] idx = new int[before + n + after];
    for (int j = 0; j < idx.length; j++) {
      int p = j - before;
      if (p < 0) {
        p = mode == PadMode.REFLECT ? -p : -p - 1;
      } else if (p >= n) {
        p = mode == PadMode.REFLECT ? 2 * (n - 1) - p : 2 * n - 1 - p;
      }
      idx[j] = p;
    }
    return idx;
  }
}
