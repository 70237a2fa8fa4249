package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.module.Module;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

/**
 * The Sonnet 1 README's ParentModule, OtherParentModule and WrongModule: wherever the child is
 * constructed, its variables nest under the parent.
 */
class ParentModulesTest {
  private static final Tensor X = Tensor.ones(DType.FLOAT32, 2, 3);

  @Test
  void childConstructedInTheBuild_nestsUnderTheParent() {
    var parent = new ParentModule(5);
    parent.call(X);

    assertThat(parent.variables())
        .extracting(Variable::name)
        .containsExactly("parent_module/my_linear/b", "parent_module/my_linear/w");
    assertThat(parent.linMod.path()).isEqualTo("parent_module/my_linear");
  }

  @Test
  void childConstructedInTheConstructor_nestsUnderTheParent() {
    var parent = new OtherParentModule(5);
    parent.call(X);

    assertThat(parent.variables())
        .extracting(Variable::name)
        .containsExactly("other_parent_module/my_linear/b", "other_parent_module/my_linear/w");
  }

  @Test
  void wrongModule_withoutAnyScope_stillNestsUnderTheParent() {
    var parent = new WrongModule(5);
    parent.call(X);

    assertThat(parent.variables())
        .extracting(Variable::name)
        .containsExactly("wrong_module/my_linear/b", "wrong_module/my_linear/w");
  }

  @Test
  void parentsConstructedInsideAnotherParent_nestTwice() {
    var outer = new WrongModule(5, "outer");
    var seq = new dev.sonnet.module.Sequential(outer);
    seq.call(X);

    assertThat(seq.variables())
        .extracting(Variable::name)
        .containsExactly("outer/my_linear/b", "outer/my_linear/w");
  }

  @Test
  void childCalledDirectlyBeforeItsParent_stillNests() {
    var parent = new OtherParentModule(5);

    parent.linMod.call(X);

    assertThat(parent.linMod.variables())
        .extracting(Variable::name)
        .containsExactly("other_parent_module/my_linear/b", "other_parent_module/my_linear/w");
    assertThat(parent.submodules()).containsExactly((Module) parent.linMod);
  }
}
