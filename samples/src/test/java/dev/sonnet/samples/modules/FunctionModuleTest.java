package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.FunctionModule;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.Sequential;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

/** The Sonnet 1 README's {@code snt.Module(build_fn)}. */
class FunctionModuleTest {
  @Test
  void firstCall_createsTheVariables_laterCallsShareThem() {
    var mod = ScaleAndShift.create();
    Tensor y = mod.call(Tensor.full(DType.FLOAT32, 2.0, 2, 3));
    var vars = mod.variables();

    mod.call(Tensor.ones(DType.FLOAT32, 4, 3));

    assertThat(y.toFloatArray()).containsOnly(2.0f);
    assertThat(vars)
        .extracting(Variable::name)
        .containsExactly("scale_and_shift/scale", "scale_and_shift/shift");
    assertThat(mod.variables()).containsExactlyElementsOf(vars);
    assertThat(mod).hasToString("FunctionModule(name=\"scale_and_shift\")");
  }

  @Test
  void aStatelessFunction_becomesANamedModule_usableInSequential() {
    var relu = FunctionModule.wrap("my_relu", Tensor::relu);
    var seq = new Sequential(new MyLinear(3), relu);

    assertThat(seq.call(Tensor.ones(DType.FLOAT32, 2, 2)).shape()).isEqualTo(Shape.of(2, 3));
    assertThat(relu.name()).isEqualTo("my_relu");
    assertThat(seq.submodules()).hasSize(2);
  }

  @Test
  void aVariableFirstCreatedOnALaterCall_fails() {
    boolean[] second = {false};
    var mod =
        FunctionModule.of(
            "late",
            (scope, x) -> {
              if (second[0]) {
                scope.variable("extra", Initializers.zeros(), 1);
              }
              second[0] = true;
              return x;
            });
    mod.call(Tensor.ones(DType.FLOAT32, 1));

    assertThatThrownBy(() -> mod.call(Tensor.ones(DType.FLOAT32, 1)))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("created variable \"extra\" on a call after the first");
  }
}
