package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.Param;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

/** Building: once, retried after a failure, one owner per variable, trainable or not. */
class BuildRulesTest {
  /** Fails its first build after creating a variable. */
  static final class Flaky extends Module {
    int attempts;
    @Param Variable v;

    @Build
    void initialize(Tensor x) {
      v = variable("v", Initializers.zeros(), x.dim(-1));
      if (attempts++ == 0) {
        throw new IllegalStateException("first build fails");
      }
    }

    Tensor call(Tensor x) {
      build(x);
      return x.add(v);
    }
  }

  /** The Sonnet 1 README's BadReusable: two build methods create variable "a". */
  static final class BadReusable extends Module {
    @Param Variable a1;
    @Param Variable a2;

    @Build
    void reusableVar(Tensor x) {
      a1 = variable("a", Initializers.zeros(), 1);
    }

    @Build
    void anotherReusableVar(Tensor x) {
      a2 = variable("a", Initializers.zeros(), 1);
    }

    void both(Tensor x) {
      buildNamed("reusableVar", x);
      buildNamed("anotherReusableVar", x);
    }
  }

  /** A mean of everything seen: state, not a parameter. */
  static final class RunningMean extends Module {
    @Param Variable scale;

    @Param(trainable = false)
    Variable total;

    @Build
    void initialize(Tensor x) {
      scale = variable("scale", Initializers.ones(), x.dim(-1));
      total = variable("total", Initializers.zeros(), DType.FLOAT32, x.shape(), false);
    }

    Tensor call(Tensor x) {
      build(x);
      total.assignAdd(x);
      return x.mul(scale);
    }
  }

  @Test
  void aBuildThatThrows_isNotMarkedDone_andRunsAgain() {
    var flaky = new Flaky();
    Tensor x = Tensor.ones(DType.FLOAT32, 1, 2);

    assertThatThrownBy(() -> flaky.call(x)).hasMessage("first build fails");
    flaky.call(x);

    assertThat(flaky.attempts).isEqualTo(2);
    assertThat(flaky.variables()).extracting(Variable::name).containsExactly("flaky/v");
  }

  @Test
  void twoBuildMethodsCreatingOneVariable_failOnTheSecond() {
    var bad = new BadReusable();

    assertThatThrownBy(() -> bad.both(Tensor.ones(DType.FLOAT32, 1)))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("variable \"a\" was already created by @Build reusableVar")
        .hasMessageContaining("@Build anotherReusableVar creates it again");
  }

  @Test
  void build_withTheWrongInputType_namesTheMethodAndTypes() {
    assertThatThrownBy(() -> new WrongInput().call())
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining(
            "WrongInput.initialize(Tensor x): input 0 should be a Tensor but is" + " a String");
  }

  /** Passes a String to a build method that takes a Tensor. */
  static final class WrongInput extends Module {
    @Build
    void initialize(Tensor x) {}

    void call() {
      build("not a tensor");
    }
  }

  @Test
  void trainableVariables_leaveOutState() {
    var mean = new RunningMean();
    mean.call(Tensor.ones(DType.FLOAT32, 3));

    assertThat(mean.variables())
        .extracting(Variable::name)
        .containsExactly("running_mean/scale", "running_mean/total");
    assertThat(mean.trainableVariables())
        .extracting(Variable::name)
        .containsExactly("running_mean/scale");
    assertThat(mean.nonTrainableVariables())
        .extracting(Variable::name)
        .containsExactly("running_mean/total");
  }
}
