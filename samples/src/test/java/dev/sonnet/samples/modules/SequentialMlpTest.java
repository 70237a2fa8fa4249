package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.Layers;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Sequential;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

/** The Sonnet 2 README's {@code snt.Sequential([Linear(1024), relu, Linear(10)])}. */
class SequentialMlpTest {
  private static Sequential mlp() {
    return new Sequential(new MyLinear(1024), Layers.relu(), new MyLinear(10));
  }

  @Test
  void call_appliesTheLayersInOrder() {
    Tensor logits = mlp().call(Tensor.ones(DType.FLOAT32, 8, 5));

    assertThat(logits.shape()).isEqualTo(Shape.of(8, 10));
  }

  @Test
  void variables_listEveryLayer_numberedAmongTheSequentialsLayers() {
    var mlp = mlp();
    mlp.call(Tensor.ones(DType.FLOAT32, 8, 5));

    assertThat(mlp.variables())
        .extracting(Variable::name)
        .containsExactly("my_linear/b", "my_linear/w", "my_linear_1/b", "my_linear_1/w");
    assertThat(mlp.variables())
        .extracting(Variable::shape)
        .containsExactly(Shape.of(1024), Shape.of(5, 1024), Shape.of(10), Shape.of(1024, 10));
    assertThat(mlp.trainableVariables()).isEqualTo(mlp.variables());
    assertThat(mlp.submodules()).hasSize(2);
  }

  @Test
  void toString_nestsTheLayersTwoSpacesIn() {
    assertThat(mlp())
        .hasToString(
            """
        Sequential(
          MyLinear(outputSize=1024),
          relu,
          MyLinear(outputSize=10)
        )""");
  }

  @Test
  void lambdasAndMethodReferences_composeWithModules() {
    var seq = new Sequential(new MyLinear(4), x -> x.tanh(), Tensor::relu);

    assertThat(seq.call(Tensor.ones(DType.FLOAT32, 2, 3)).shape()).isEqualTo(Shape.of(2, 4));
    assertThat(seq.toString()).contains("<function>");
  }

  @Test
  void variables_ofOnlyFunctions_failUnlessAllowed() {
    var seq = new Sequential(Layers.relu(), Layers.tanh());

    assertThat(seq).hasToString("Sequential(relu, tanh)");
    assertThatThrownBy(seq::variables).isInstanceOf(NotBuiltException.class);
    assertThat(seq.allowEmptyVariables().variables()).isEmpty();
  }
}
