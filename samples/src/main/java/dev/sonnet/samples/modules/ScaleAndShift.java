package dev.sonnet.samples.modules;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.FunctionModule;
import dev.sonnet.tensor.Variable;

/**
 * The Sonnet 1 README's {@code snt.Module(build_fn)}: a plain function made a module. Its variables
 * are created on the first call and shared by every later one, and live under the module's name:
 * {@code scale_and_shift/scale}, {@code scale_and_shift/shift}.
 */
public final class ScaleAndShift {
  private ScaleAndShift() {}

  /** {@code x * scale + shift}, both of size {@code x.dim(-1)}. */
  public static FunctionModule create() {
    return FunctionModule.of(
        "scale_and_shift",
        (scope, x) -> {
          Variable scale = scope.variable("scale", Initializers.ones(), x.dim(-1));
          Variable shift = scope.variable("shift", Initializers.zeros(), x.dim(-1));
          return x.mul(scale).add(shift);
        });
  }
}
