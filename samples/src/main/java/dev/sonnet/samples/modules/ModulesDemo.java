package dev.sonnet.samples.modules;

import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;

/** Prints what the README shows: a module's output shape, repr and variables. */
public final class ModulesDemo {
  private ModulesDemo() {}

  public static void main(String[] args) {
    var mod = new MyLinear(10);
    Tensor y = mod.call(Tensor.ones(DType.FLOAT32, 8, 3));
    System.out.println(y.shape());
    System.out.println(mod);
    mod.variables().forEach(System.out::println);

    var mlp = new Sequential(new MyLinear(1024), Layers.relu(), new MyLinear(10));
    mlp.call(Tensor.ones(DType.FLOAT32, 8, 3));
    System.out.println(mlp);
    mlp.trainableVariables().forEach(System.out::println);
  }
}
