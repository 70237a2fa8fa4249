package dev.sonnet.samples.modules;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;

/**
 * The Sonnet 1 README's {@code WrongModule}: a submodule constructed in the constructor without
 * entering the parent's scope, which in Sonnet 1 left it outside ({@code linear/w}). Here there is
 * no scope to forget: the child nests under the module that constructed and holds it, whatever the
 * order of the statements, so the variables are {@code wrong_module/my_linear/w}.
 */
public final class WrongModule extends Module implements Layer {
  final MyLinear linMod;
  final int hiddenSize;

  public WrongModule(int hiddenSize) {
    this(hiddenSize, null);
  }

  public WrongModule(int hiddenSize, String name) {
    super(name);
    this.linMod = new MyLinear(hiddenSize); // before anything else, no scope entered
    this.hiddenSize = hiddenSize;
  }

  @Override
  public Tensor call(Tensor inputs) {
    return linMod.call(inputs).relu();
  }
}
