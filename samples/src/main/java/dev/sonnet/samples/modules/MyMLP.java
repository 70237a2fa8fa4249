package dev.sonnet.samples.modules;

import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;

/**
 * The Sonnet 1 README's {@code MyMLP}: two linear layers with a nonlinearity between them, the
 * layers created in the build with short names, so the variables are {@code my_mlp/x_to_h/w},
 * {@code my_mlp/h_to_o/w} and their biases.
 *
 * <p>The nonlinearity may be a plain function or a module; a module's variables are found too.
 */
public final class MyMLP extends Module implements Layer {
  /** {@code tanh}, as in the Sonnet 1 README. */
  public static final Layer DEFAULT_NONLINEARITY = Layers.tanh();

  final int hiddenSize;
  final int outputSize;
  final Layer nonlinearity;
  MyLinear xToH;
  MyLinear hToO;

  /** An MLP with a {@code tanh} between its layers. */
  public MyMLP(int hiddenSize, int outputSize) {
    this(hiddenSize, outputSize, DEFAULT_NONLINEARITY, null);
  }

  /** An MLP with {@code nonlinearity} between its layers, named {@code my_mlp}. */
  public MyMLP(int hiddenSize, int outputSize, Layer nonlinearity) {
    this(hiddenSize, outputSize, nonlinearity, null);
  }

  /** An MLP with {@code nonlinearity} between its layers, named {@code name} (or my_mlp). */
  public MyMLP(int hiddenSize, int outputSize, Layer nonlinearity, String name) {
    super(name);
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
    this.nonlinearity = nonlinearity;
  }

  @Build
  void createLayers(Tensor inputs) {
    xToH = new MyLinear(hiddenSize, "x_to_h");
    hToO = new MyLinear(outputSize, "h_to_o");
  }

  @Override
  public Tensor call(Tensor inputs) {
    build(inputs);
    return hToO.call(nonlinearity.call(xToH.call(inputs)));
  }
}
