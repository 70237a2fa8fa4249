package dev.sonnet.samples.modules;

import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;

/**
 * The Sonnet 1 README's {@code ParentModule}: the submodule is constructed in the build, so its
 * variables nest as {@code parent_module/my_linear/w}.
 */
public final class ParentModule extends Module implements Layer {
  final int hiddenSize;
  MyLinear linMod;

  public ParentModule(int hiddenSize) {
    this(hiddenSize, null);
  }

  public ParentModule(int hiddenSize, String name) {
    super(name);
    this.hiddenSize = hiddenSize;
  }

  @Build
  void initialize(Tensor inputs) {
    linMod = new MyLinear(hiddenSize); // construct the submodule...
  }

  @Override
  public Tensor call(Tensor inputs) {
    build(inputs);
    return linMod.call(inputs).relu(); // ...then connect it
  }
}
