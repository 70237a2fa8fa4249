package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.module.Sequential;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

/** The Sonnet 1 README: a module connected many times, or held by two parents, is shared. */
class WeightSharingTest {
  @Test
  void aModuleCalledOnTrainAndTestData_usesOneSetOfVariables() {
    var linearRegression = new MyLinear(1);
    Tensor train = Tensor.ones(DType.FLOAT32, 16, 3);
    Tensor test = Tensor.zeros(DType.FLOAT32, 4, 3);

    linearRegression.call(train);
    var afterTrain = linearRegression.variables();
    linearRegression.call(test);

    assertThat(linearRegression.variables()).containsExactlyElementsOf(afterTrain);
  }

  @Test
  void aModuleHeldByTwoParents_isSharedNotCopied_andListedOnce() {
    var shared = new MyLinear(4);
    var a = new Sequential(shared, Layers.relu());
    var b = new Sequential(shared, Layers.tanh());
    var both = new Sequential(a, b);
    both.call(Tensor.ones(DType.FLOAT32, 2, 3).matmul(Tensor.ones(DType.FLOAT32, 3, 4)));

    assertThat(a.variables()).containsExactlyElementsOf(b.variables());
    assertThat(both.variables())
        .extracting(Variable::name)
        .containsExactly("my_linear/b", "my_linear/w");
    assertThat(both.submodules()).containsExactly((Module) a, shared, b);
  }
}
