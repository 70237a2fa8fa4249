package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Seeds;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MyLinearTest {
  @Test
  void call_createsVariablesOnFirstCall_shapedByTheInput() {
    var mod = new MyLinear(10);

    Tensor y = mod.call(Tensor.ones(DType.FLOAT32, 8, 3));

    assertThat(y.shape()).isEqualTo(Shape.of(8, 10));
    assertThat(mod.variables())
        .extracting(Variable::name)
        .containsExactly("my_linear/b", "my_linear/w");
    assertThat(mod.variables())
        .extracting(Variable::shape)
        .containsExactly(Shape.of(10), Shape.of(3, 10));
    assertThat(mod.variables()).extracting(Variable::dtype).containsOnly(DType.FLOAT32);
    assertThat(mod.trainableVariables()).isEqualTo(mod.variables());
    assertThat(mod.nonTrainableVariables()).isEmpty();
  }

  @Test
  void toString_printsTheConstructorCall() {
    assertThat(new MyLinear(10)).hasToString("MyLinear(outputSize=10)");
    assertThat(new MyLinear(10, "head")).hasToString("MyLinear(outputSize=10, name=\"head\")");
  }

  @Test
  void name_isTheClassNameInSnakeCase_unlessGiven() {
    assertThat(new MyLinear(1).name()).isEqualTo("my_linear");
    assertThat(new MyLinear(1, "head").name()).isEqualTo("head");
  }

  @Test
  void variables_beforeTheFirstCall_failWithTheFix() {
    var mod = new MyLinear(10);

    assertThatThrownBy(mod::variables)
        .isInstanceOf(NotBuiltException.class)
        .hasMessageContaining("MyLinear 'my_linear' has no variables yet")
        .hasMessageContaining("call it once first")
        .hasMessageContaining("module.allowEmptyVariables().variables()");
    assertThatThrownBy(mod::trainableVariables).isInstanceOf(NotBuiltException.class);
  }

  @Test
  void allowEmptyVariables_beforeTheFirstCall_givesAnEmptyList() {
    assertThat(new MyLinear(10).allowEmptyVariables().variables()).isEmpty();
  }

  @Test
  void call_onManyInputs_reusesTheSameVariables() {
    var mod = new MyLinear(4);
    mod.call(Tensor.ones(DType.FLOAT32, 2, 3));
    List<Variable> first = mod.variables();

    Tensor y = mod.call(Tensor.zeros(DType.FLOAT32, 5, 3));

    assertThat(y.shape()).isEqualTo(Shape.of(5, 4));
    assertThat(mod.variables()).hasSize(2);
    assertThat(mod.variables().get(0)).isSameAs(first.get(0));
    assertThat(mod.variables().get(1)).isSameAs(first.get(1));
  }

  @Test
  void call_fromManyThreadsAtOnce_buildsOnce() throws Exception {
    var mod = new MyLinear(4);
    Tensor x = Tensor.ones(DType.FLOAT32, 2, 3);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return mod.call(x).toFloatArray();
                }));
      }
      start.countDown();
      float[] expected = results.get(0).get();
      for (Future<float[]> r : results) {
        assertThat(r.get()).containsExactly(expected);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(mod.variables()).hasSize(2);
  }

  /**
   * Initial values come from the global seed, the variable's path and how many variables of that
   * path were created before (Seeds): two modules of one name differ, and the same program from the
   * same seed repeats.
   */
  @Test
  void initialValues_differBetweenModules_andRepeatFromTheSameSeed() {
    Tensor x = Tensor.ones(DType.FLOAT32, 1, 3);
    Seeds.setGlobalSeed(3);
    var a = new MyLinear(5);
    var b = new MyLinear(5);
    a.call(x);
    b.call(x);
    Seeds.setGlobalSeed(3);
    var again = new MyLinear(5);
    again.call(x);

    float[] wa = a.variables().get(1).peek().toFloatArray();
    assertThat(a.variables().get(1).name()).isEqualTo(b.variables().get(1).name());
    assertThat(b.variables().get(1).peek().toFloatArray()).isNotEqualTo(wa);
    assertThat(again.variables().get(1).peek().toFloatArray()).containsExactly(wa);
    Seeds.setGlobalSeed(0);
  }
}
