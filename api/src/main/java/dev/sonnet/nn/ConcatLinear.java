package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Sonnet 1's {@code ConcatLinear}: a linear layer over several inputs, as if they were
 * concatenated: {@code y = sum_i flatten(x_i) w_i + b}. Each input gets its own {@link Linear}
 * ({@code linear}, {@code linear_1}, ...), only the first with a bias, which equals one linear
 * layer over the concatenation without copying it.
 *
 * <p><b>Shapes.</b> Inputs {@code [batch, ...]} each (flattened after the batch dimension); output
 * {@code [batch, outputSize]}. The number of inputs is fixed by the first call.
 *
 * <p><b>Variables:</b> {@code linear/w:[size_0, outputSize]}, {@code linear/b:[outputSize]}, {@code
 * linear_i/w:[size_i, outputSize]}; initialised as in {@link Linear}.
 *
 * <pre>{@code
 * var cl = new ConcatLinear(10);
 * Tensor y = cl.call(List.of(a, b));   // a: [8, 3], b: [8, 4, 2] -> [8, 10]
 * }</pre>
 */
public final class ConcatLinear extends Module {
  /** {@code true}, as {@link Linear}: an affine map is the usual layer. */
  public static final boolean DEFAULT_WITH_BIAS = true;

  /**
   * {@code null}: {@link Linear}'s default, a truncated normal with standard deviation {@code 1 /
   * sqrt(inputSize)} per input, chosen on the first call.
   */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros, so the layer starts unbiased; must stay null without a bias. */
  public static final Initializer DEFAULT_B_INIT = null;

  final int outputSize;
  final boolean withBias;
  final Initializer wInit;
  final Initializer bInit;
  List<Linear> layers;

  /** A layer with {@code outputSize} outputs. */
  public ConcatLinear(int outputSize) {
    this(outputSize, DEFAULT_WITH_BIAS, DEFAULT_W_INIT, DEFAULT_B_INIT, null);
  }

  /**
   * Starts a layer with every other setting at its default, e.g. {@code
   * ConcatLinear.builder(10).withBias(false).build()}.
   *
   * @param outputSize the number of outputs, at least 1
   */
  public static ConcatLinearBuilder builder(int outputSize) {
    return new ConcatLinearBuilder(outputSize);
  }

  /**
   * Every setting; called by {@link ConcatLinearBuilder}, which documents each and its default.
   * {@code bInit} must be null when {@code withBias} is false.
   */
  @Settings
  ConcatLinear(
      int outputSize, boolean withBias, Initializer wInit, Initializer bInit, String name) {
    super(name);
    if (outputSize < 1) {
      throw new IllegalArgumentException("ConcatLinear: outputSize must be >= 1");
    }
    if (!withBias && bInit != null) {
      throw new IllegalArgumentException(
          "ConcatLinear: when withBias is false, bInit must be" + " null");
    }
    this.outputSize = outputSize;
    this.withBias = withBias;
    this.wInit = wInit;
    this.bInit = bInit;
  }

  @Build
  void initialize(List<Tensor> inputs) {
    List<Linear> ls = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      ls.add(
          Linear.builder(outputSize)
              .withBias(withBias && i == 0)
              .wInit(wInit)
              .bInit(i == 0 ? bInit : null)
              .build());
    }
    layers = List.copyOf(ls);
  }

  /** The per-input layers, or null before the first call. */
  public List<Linear> layers() {
    return layers;
  }

  /** {@code sum_i flatten(x_i) w_i + b}. */
  public Tensor call(List<Tensor> inputs) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException(
          "ConcatLinear '" + path() + "': needs at least one" + " input");
    }
    build(inputs);
    if (inputs.size() != layers.size()) {
      throw new ShapeException(
          "ConcatLinear '"
              + path()
              + "': got "
              + inputs.size()
              + " inputs but was built for "
              + layers.size()
              + "; pass the same number every call");
    }
    Tensor y = null;
    for (int i = 0; i < inputs.size(); i++) {
      Tensor x = inputs.get(i);
      Tensor flat = x.rank() == 2 ? x : x.reshape(x.dim(0), -1);
      Tensor yi = layers.get(i).call(flat);
      y = y == null ? yi : y.add(yi);
    }
    return y;
  }
}
