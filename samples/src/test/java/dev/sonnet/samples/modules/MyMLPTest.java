package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.module.Layers;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

class MyMLPTest {
  @Test
  void variables_nestUnderTheMlp_withTheLayersGivenNames() {
    var mlp = new MyMLP(16, 4);

    Tensor y = mlp.call(Tensor.ones(DType.FLOAT32, 3, 7));

    assertThat(y.shape()).isEqualTo(Shape.of(3, 4));
    assertThat(mlp.variables())
        .extracting(Variable::name)
        .containsExactly(
            "my_mlp/h_to_o/b", "my_mlp/h_to_o/w", "my_mlp/x_to_h/b", "my_mlp/x_to_h/w");
  }

  @Test
  void call_again_createsNoNewVariables() {
    var mlp = new MyMLP(16, 4);
    mlp.call(Tensor.ones(DType.FLOAT32, 3, 7));
    var before = mlp.variables();

    mlp.call(Tensor.ones(DType.FLOAT32, 9, 7));

    assertThat(mlp.variables()).containsExactlyElementsOf(before);
  }

  @Test
  void toString_leavesOutTheDefaultNonlinearity() {
    assertThat(new MyMLP(16, 4)).hasToString("MyMLP(hiddenSize=16, outputSize=4)");
    assertThat(new MyMLP(16, 4, Layers.relu(), "mlp"))
        .hasToString("MyMLP(hiddenSize=16, outputSize=4, nonlinearity=relu, name=\"mlp\")");
  }

  @Test
  void aModuleAsNonlinearity_addsItsVariables() {
    var mlp = new MyMLP(16, 4, ScaleAndShift.create());

    mlp.call(Tensor.ones(DType.FLOAT32, 2, 7));

    assertThat(mlp.variables())
        .extracting(Variable::name)
        .containsExactly(
            "my_mlp/h_to_o/b", "my_mlp/h_to_o/w",
            "scale_and_shift/scale", "scale_and_shift/shift",
            "my_mlp/x_to_h/b", "my_mlp/x_to_h/w");
    assertThat(mlp.toString())
        .isEqualTo(
            """
        MyMLP(
          hiddenSize=16,
          outputSize=4,
          nonlinearity=FunctionModule(name="scale_and_shift")
        )""");
  }
}
