package dev.sonnet.nn;

import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.ActivationFusing;
import dev.sonnet.module.Build;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.module.Transposable;
import dev.sonnet.module.Transpose;
import dev.sonnet.module.TransposeWith;
import dev.sonnet.ops.LinearAlgebra;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * A fully connected layer: {@code y = x w + b}.
 *
 * <p><b>Shapes.</b> Input {@code [..., inputSize]} of rank at least 2; output {@code [...,
 * outputSize]}. Only the last dimension is mapped; leading dimensions are batch dimensions.
 *
 * <p><b>Variables</b>, created on the first call with the input's dtype: {@code w:[inputSize,
 * outputSize]}, initialised by {@code wInit} or, by default, a truncated normal with standard
 * deviation {@code 1 / sqrt(inputSize)}; {@code b:[outputSize]} (when {@code withBias}),
 * initialised by {@code bInit} or zeros.
 *
 * <pre>{@code
 * var linear = new Linear(10);
 * Tensor y = linear.call(Tensor.ones(DType.FLOAT32, 8, 3));   // [8, 10]
 * linear.variables();   // linear/b f32[10], linear/w f32[3, 10]
 * Layer back = linear.transpose();                             // Linear with outputSize 3
 * }</pre>
 *
 * <p>{@link #transpose()} (Sonnet 1's {@code transpose()}) is a new {@code Linear}, with its own
 * variables, whose output size is this one's input size.
 */
@Transposable
public final class Linear extends Module implements ActivationFusing {
  /** {@code true}: an affine map is the usual layer; turn it off before a normalisation. */
  public static final boolean DEFAULT_WITH_BIAS = true;

  /**
   * {@code null}: a truncated normal with standard deviation {@code 1 / sqrt(inputSize)}, chosen on
   * the first call; it keeps the output's variance near the input's (Sonnet's default).
   */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros, so the layer starts unbiased; must stay null without a bias. */
  public static final Initializer DEFAULT_B_INIT = null;

  final int outputSize;
  final boolean withBias;
  final Initializer wInit;
  final Initializer bInit;
  @Param Variable w;
  @Param Variable b;

  /** A layer with {@code outputSize} outputs, a bias and the default initializers. */
  public Linear(int outputSize) {
    this(outputSize, DEFAULT_WITH_BIAS, DEFAULT_W_INIT, DEFAULT_B_INIT, null);
  }

  /** A layer with {@code outputSize} outputs, named {@code name}. */
  public Linear(int outputSize, String name) {
    this(outputSize, DEFAULT_WITH_BIAS, DEFAULT_W_INIT, DEFAULT_B_INIT, name);
  }

  /**
   * Starts a layer with every other setting at its default, e.g. {@code
   * Linear.builder(10).withBias(false).wInit(Initializers.ones()).build()}.
   *
   * @param outputSize the number of outputs, at least 1
   */
  public static LinearBuilder builder(int outputSize) {
    return new LinearBuilder(outputSize);
  }

  /** Every setting; called by {@link LinearBuilder}, which documents each and its default. */
  @Settings
  Linear(
      @TransposeWith("inputSize") int outputSize,
      boolean withBias,
      Initializer wInit,
      Initializer bInit,
      String name) {
    super(name);
    if (outputSize < 1) {
      throw new IllegalArgumentException("Linear: outputSize must be >= 1, got " + outputSize);
    }
    if (!withBias && bInit != null) {
      throw new IllegalArgumentException(
          "Linear: when withBias is false, bInit must be null"
              + " (got "
              + bInit
              + "); there is no bias to initialise");
    }
    this.outputSize = outputSize;
    this.withBias = withBias;
    this.wInit = wInit;
    this.bInit = bInit;
  }

  @Build
  void initialize(Tensor x) {
    NnSupport.requireMinRank(this, x, 2, "[batch..., inputSize]");
    NnSupport.requireFeatures(this, x, -1, "features");
    int inputSize = x.dim(-1);
    Initializer wi = wInit != null ? wInit : Initializers.truncatedNormal(1 / Math.sqrt(inputSize));
    w = variable("w", wi, x.dtype(), inputSize, outputSize);
    if (withBias) {
      b = variable("b", bInit != null ? bInit : Initializers.zeros(), x.dtype(), outputSize);
    }
  }

  @Override
  public Tensor call(Tensor x) {
    build(x);
    NnSupport.requireMinRank(this, x, 2, "[batch..., inputSize]");
    NnSupport.requireDim(this, x, -1, w.shape().dim(0), "input features");
    if (x.rank() == 2) {
      // x @ w + b in one product when the backend can (bit-for-bit the two ops).
      return LinearAlgebra.dense(x, w, withBias ? b : null, Activation.NONE);
    }
    Tensor y = x.matmul(w);
    return withBias ? y.add(b) : y;
  }

  /**
   * {@code activation.call(call(x))}; for {@link Layers#relu()} and a matrix {@code x}, one {@link
   * LinearAlgebra#dense} product that adds the bias and takes the ReLU as it writes its output.
   */
  @Override
  public Tensor callThenActivate(Tensor x, Layer activation) {
    if (activation != Layers.relu() || x.rank() != 2) {
      return activation.call(call(x));
    }
    build(x);
    NnSupport.requireDim(this, x, -1, w.shape().dim(0), "input features"); // rank 2 checked above
    return LinearAlgebra.dense(x, w, withBias ? b : null, Activation.RELU);
  }

  /** The number of outputs. */
  public int outputSize() {
    return outputSize;
  }

  /** The input size, known once the module has been called. */
  public int inputSize() {
    if (w == null) {
      throw new NotBuiltException(
          "Linear '"
              + name()
              + "' has no input size yet: it is read from"
              + " the first input. Call it once (linear.call(x)) before asking, or before calling its"
              + " transpose.");
    }
    return w.shape().dim(0);
  }

  /** The weights {@code w:[inputSize, outputSize]}, or null before the first call. */
  public Variable w() {
    return w;
  }

  /** The bias {@code b:[outputSize]}, or null before the first call or without a bias. */
  public Variable b() {
    return b;
  }

  /**
   * A new {@code Linear}, with its own variables, mapping this one's outputs back to its input
   * size; constructed on its first call, so it may be made before this one is built.
   */
  public Deferred<Linear> transpose() {
    return Transpose.of(this);
  }
}
