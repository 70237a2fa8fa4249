package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.module.NameScope;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

/** The Sonnet 1 FAQ: modules that would get the same name are numbered. */
class NameUniquificationTest {
  @Test
  void twoModulesNamedAlike_inOneScope_areNumbered() {
    try (var _ = NameScope.open()) {
      var lin1 = new MyLinear(42, "linear");
      var lin2 = new MyLinear(84, "linear"); // this name is already taken

      assertThat(lin1.name()).isEqualTo("linear");
      assertThat(lin2.name()).isEqualTo("linear_1");
    }
  }

  @Test
  void numbering_isTheSameEveryRun_whateverRanBefore() {
    String[] first = namesInAFreshScope();
    new MyLinear(1, "linear").name(); // other work in between
    String[] second = namesInAFreshScope();

    assertThat(second).containsExactly(first).containsExactly("linear", "linear_1", "linear_2");
  }

  private static String[] namesInAFreshScope() {
    try (var _ = NameScope.open()) {
      return new String[] {
        new MyLinear(1, "linear").name(),
        new MyLinear(1, "linear").name(),
        new MyLinear(1, "linear").name()
      };
    }
  }

  @Test
  void siblingsInAParent_areNumberedInConstructionOrder_whateverTheCallOrder() {
    var parent = new TwoChildren();
    parent.second.call(Tensor.ones(DType.FLOAT32, 1, 2)); // the second child is named first
    parent.first.call(Tensor.ones(DType.FLOAT32, 1, 2));

    assertThat(parent.first.path()).isEqualTo("two_children/my_linear");
    assertThat(parent.second.path()).isEqualTo("two_children/my_linear_1");
  }

  @Test
  void aScopeWithAPrefix_prefixesTopLevelPaths() {
    try (var _ = NameScope.open("experiment")) {
      var lin = new MyLinear(2);
      lin.call(Tensor.ones(DType.FLOAT32, 1, 2));

      assertThat(lin.variables())
          .extracting(Variable::name)
          .containsExactly("experiment/my_linear/b", "experiment/my_linear/w");
    }
  }

  @Test
  void modulesOutsideAnyScope_keepTheirNames() {
    assertThat(new MyLinear(1).name()).isEqualTo("my_linear");
    assertThat(new MyLinear(1).name()).isEqualTo("my_linear");
  }
}
