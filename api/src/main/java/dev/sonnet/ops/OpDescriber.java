package dev.sonnet.ops;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;

/**
 * Receives the kind and attributes of one forward primitive, for code outside this package that
 * needs them without the (package-private) op records: the graph tracer of {@code
 * dev.sonnet.export} turns each dispatched op into a graph node this way. {@link
 * OpDescriptions#describe} calls exactly one method.
 *
 * <p>The list is closed on purpose: the forward primitives a model's inference runs. Gradient-only
 * primitives (convolution and pooling backprops, slice gradients, scatter-add) reach {@link
 * #other}, so a tracer can refuse them by name. Arrays passed here are copies the receiver may
 * keep.
 *
 * @param <R> what the receiver makes of a description
 */
public interface OpDescriber<R> {
  /** An elementwise function of one tensor. */
  R unary(UnaryKind kind);

  /** An elementwise function of two tensors with broadcasting. */
  R binary(BinaryKind kind);

  /** A conversion to {@code dtype}. */
  R cast(DType dtype);

  /** A (batched) matrix product, each side optionally transposed in its last two axes. */
  R matmul(boolean transposeA, boolean transposeB);

  /** The same elements viewed in {@code shape}. */
  R reshape(Shape shape);

  /** A broadcast materialised to {@code shape}. */
  R broadcastTo(Shape shape);

  /** Axes reordered: output axis {@code i} is input axis {@code perm[i]}. */
  R permute(int[] perm);

  /**
   * A strided window: along axis {@code i}, {@code shape[i]} elements from {@code begin[i]}, {@code
   * step[i]} apart.
   */
  R slice(int[] begin, int[] step, Shape shape);

  /** Consecutive parts of {@code sizes} along {@code axis}, one output each. */
  R split(int axis, int[] sizes);

  /** The inputs joined along {@code axis}. */
  R concat(int axis);

  /** Constant padding of {@code before[i]} and {@code after[i]} elements along axis {@code i}. */
  R pad(int[] before, int[] after, double value);

  /** Slices of input 0 along {@code axis} at the indices in input 1. */
  R gather(int axis);

  /** {@code condition ? a : b} elementwise, with broadcasting. */
  R where();

  /** A reduction over the (sorted, distinct) {@code axes}. */
  R reduce(ReduceKind kind, int[] axes, boolean keepDims);

  /** A channels-last convolution (input 0: data, input 1: filters). */
  R conv(ConvParams params);

  /** Channels-last max or average pooling over {@code window}. */
  R pool(PoolKind kind, int[] window, ConvParams params);

  /** Any other op (a gradient-only primitive, or one a later version adds). */
  R other(Op op);
}
