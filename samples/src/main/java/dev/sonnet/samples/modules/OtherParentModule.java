package dev.sonnet.samples.modules;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;

/**
 * The Sonnet 1 README's {@code OtherParentModule}: the submodule is constructed in the constructor.
 * Sonnet 1 needed {@code with self._enter_variable_scope()} around it; here nothing is needed, and
 * the variables are {@code other_parent_module/my_linear/w}.
 */
public final class OtherParentModule extends Module implements Layer {
  final int hiddenSize;
  final MyLinear linMod;

  public OtherParentModule(int hiddenSize) {
    this(hiddenSize, null);
  }

  public OtherParentModule(int hiddenSize, String name) {
    super(name);
    this.hiddenSize = hiddenSize;
    this.linMod = new MyLinear(hiddenSize); // construct the submodule here
  }

  @Override
  public Tensor call(Tensor inputs) {
    return linMod.call(inputs).relu(); // connect the one constructed earlier
  }
}
