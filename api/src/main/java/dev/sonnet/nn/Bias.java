package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.module.Transposable;
import dev.sonnet.module.Transpose;
import dev.sonnet.module.TransposeWith;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.Arrays;

/**
 * Adds a learned bias: {@code y = x + b} (or {@code x + b * multiplier}).
 *
 * <p><b>Shapes.</b> Input {@code [batch, d1, ..., dn]}, rank at least 2; output the same. The bias
 * covers the dimensions in {@code biasDims} and broadcasts over the others: by default (null) all
 * non-batch dimensions, {@code b:[d1, ..., dn]}; {@code []} gives a scalar; {@code [-1]} the last
 * dimension, {@code b:[dn]}; {@code [1]} the first, {@code b:[d1, 1, ..., 1]} (leading unit
 * dimensions are left out, trailing ones kept, so {@code b} broadcasts). The batch dimension 0 is
 * never biased.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code b}, initialised by
 * {@code bInit} or zeros.
 *
 * <pre>{@code
 * var bias = new Bias();
 * bias.call(Tensor.zeros(DType.FLOAT32, 8, 3, 4));      // b: [3, 4]
 * Bias.builder().biasDims(-1).build();                  // b: [last dim]
 * }</pre>
 *
 * <p>{@link #transpose()} is a new {@code Bias} over this one's input shape.
 */
@Transposable
public final class Bias extends Module implements Layer {
  /**
   * {@code null}: the expected input shape (without batch) is taken from the first input, the usual
   * choice; give it only to have the first call check the shape.
   */
  public static final int[] DEFAULT_OUTPUT_SIZE = null;

  /**
   * {@code null}: the bias covers all non-batch dimensions, a bias per element (Sonnet's default).
   */
  public static final int[] DEFAULT_BIAS_DIMS = null;

  /** {@code null}: zeros, so the module starts as the identity. */
  public static final Initializer DEFAULT_B_INIT = null;

  final int[] outputSize;
  final int[] biasDims;
  final Initializer bInit;
  @Param Variable b;
  private volatile int[] inputSize;

  /** A bias over all non-batch dimensions, initialised to zeros. */
  public Bias() {
    this(DEFAULT_OUTPUT_SIZE, DEFAULT_BIAS_DIMS, DEFAULT_B_INIT, null);
  }

  /**
   * Starts a bias with every setting at its default, e.g. a bias over the last dimension only:
   * {@code Bias.builder().biasDims(-1).build()}.
   */
  public static BiasBuilder builder() {
    return new BiasBuilder();
  }

  /**
   * Every setting; called by {@link BiasBuilder}, which documents each and its default. {@code
   * biasDims} must not contain 0, the batch dimension.
   */
  @Settings
  Bias(
      @TransposeWith("inputSize") int[] outputSize,
      int[] biasDims,
      Initializer bInit,
      String name) {
    super(name);
    if (biasDims != null) {
      for (int d : biasDims) {
        if (d == 0) {
          throw new IllegalArgumentException(
              "Bias: biasDims "
                  + Arrays.toString(biasDims)
                  + " contains 0, the batch dimension; a bias across the minibatch is not allowed");
        }
      }
    }
    this.outputSize = outputSize == null ? null : outputSize.clone();
    this.biasDims = biasDims == null ? null : biasDims.clone();
    this.bInit = bInit;
  }

  /** The expected input shape without batch, as given, or null. */
  public int[] outputSize() {
    return outputSize == null ? null : outputSize.clone();
  }

  /** The first input's shape without the batch dimension, known once the module is built. */
  public int[] inputSize() {
    int[] s = inputSize;
    if (s == null) {
      throw new NotBuiltException(
          "Bias '"
              + name()
              + "' has no input size yet: it is read from"
              + " the first input. Call it once (bias.call(x)) first.");
    }
    return s.clone();
  }

  /** The bias variable, or null before the first call. */
  public Variable b() {
    return b;
  }

  /** Sonnet's bias shape for an input of {@code shape} (rank >= 2) and {@code biasDims}. */
  static int[] biasShape(int[] shape, int[] biasDims, String where) {
    int rank = shape.length;
    if (biasDims == null) {
      return Arrays.copyOfRange(shape, 1, rank);
    }
    if (biasDims.length == 0) {
      return new int[0];
    }
    int[] full = new int[rank];
    Arrays.fill(full, 1);
    for (int d : biasDims) {
      int a = d < 0 ? d + rank : d;
      if (a == 0) {
        throw new ShapeException(
            where
                + ": biasDims "
                + Arrays.toString(biasDims)
                + " maps to"
                + " the batch dimension for an input of rank "
                + rank
                + "; bias another dimension");
      }
      if (a < 0 || a >= rank) {
        throw new ShapeException(
            where
                + ": biasDims "
                + Arrays.toString(biasDims)
                + " has "
                + d
                + ", outside an input of rank "
                + rank
                + " "
                + Arrays.toString(shape));
      }
      full[a] = shape[a];
    }
    int start = rank;
    for (int d = 1; d < rank; d++) {
      if (full[d] != 1) {
        start = d;
        break;
      }
    }
    return Arrays.copyOfRange(full, start, rank);
  }

  @Build
  void initialize(Tensor x) {
    NnSupport.requireMinRank(this, x, 2, "[batch, ...]");
    int[] in = Arrays.copyOfRange(x.shape().dims(), 1, x.rank());
    if (outputSize != null && !Arrays.equals(outputSize, in)) {
      throw new ShapeException(
          "Bias '"
              + path()
              + "': input "
              + x.shape()
              + " should be [batch, "
              + Arrays.toString(outputSize).substring(1)
              + " (outputSize "
              + Arrays.toString(outputSize)
              + "); pass outputSize=null to take the shape from the input");
    }
    inputSize = in;
    int[] shape = biasShape(x.shape().dims(), biasDims, "Bias '" + path() + "'");
    b = variable("b", bInit != null ? bInit : Initializers.zeros(), x.dtype(), shape);
  }

  @Override
  public Tensor call(Tensor x) {
    return call(x, null);
  }

  /** {@code x + b * multiplier}; a null multiplier means 1. */
  public Tensor call(Tensor x, Operand multiplier) {
    build(x);
    int[] in = Arrays.copyOfRange(x.shape().dims(), 1, x.rank());
    if (!Arrays.equals(in, inputSize)) {
      throw new ShapeException(
          "Bias '"
              + path()
              + "': input "
              + x.shape()
              + " should be [batch, "
              + Arrays.toString(inputSize).substring(1)
              + ", the shape it was built for; use a new"
              + " module for another shape");
    }
    Tensor bias = b.asTensor();
    if (multiplier != null) {
      bias = bias.mul(multiplier);
    }
    return x.add(bias);
  }

  /** A new {@code Bias}, with its own variable, over this one's input shape (Sonnet 1's). */
  public Deferred<Bias> transpose() {
    return Transpose.of(this);
  }
}
