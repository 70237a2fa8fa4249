package dev.sonnet.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.TestModules.Leaf;
import dev.sonnet.module.TestModules.Node;
import org.junit.jupiter.api.Test;

/** Where modules nest and how they are numbered, without any tensors. */
class ModuleNamingTest {
  /** A module that constructs its children in its constructor, before and after a holder. */
  static final class Parent extends Module {
    final Node holder;

    Parent() {
      super("parent");
      Leaf early = new Leaf();
      holder = new Node("holder");
      holder.add(early).add(new Leaf());
    }

    @Override
    void visitParams(ModuleMeta.ParamVisitor visitor) {}

    @Override
    void visitChildren(ModuleMeta.ChildVisitor visitor) {
      visitor.child("holder", null, holder);
    }
  }

  @Test
  void childrenConstructedInAConstructor_nestUnderTheInnermostModuleThatHoldsThem() {
    var parent = new Parent();

    assertThat(parent.holder.path()).isEqualTo("parent/holder");
    // Constructed before the holder existed: the parent's.
    assertThat(parent.holder.children.get(0).path()).isEqualTo("parent/leaf");
    // Constructed after the holder and added to it: the holder's (see Module, "Names").
    assertThat(parent.holder.children.get(1).path()).isEqualTo("parent/holder/leaf");
  }

  @Test
  void aModuleConstructedBeforeItsHolder_staysTopLevel() {
    var leaf = new Leaf();
    var node = new Node("node").add(leaf);

    assertThat(leaf.path()).isEqualTo("leaf");
    assertThat(node.submodules()).containsExactly(leaf);
  }

  @Test
  void aModuleConstructedAfterAnUnrelatedOne_isNotAdoptedByIt() {
    var unrelated = new Node("unrelated");
    var leaf = new Leaf();

    assertThat(leaf.path()).isEqualTo("leaf");
    assertThat(unrelated.path()).isEqualTo("unrelated");
  }

  @Test
  void topLevelModulesInAScope_areNumbered_andPrefixed() {
    try (var _ = NameScope.open("outer")) {
      var a = new Leaf("x");
      var b = new Leaf("x");

      assertThat(a.path()).isEqualTo("outer/x");
      assertThat(b.path()).isEqualTo("outer/x_1");
      assertThat(b.name()).isEqualTo("x_1");
    }
  }

  @Test
  void sequentialLayers_areNumberedAmongThemselves() {
    var a = new Leaf();
    var b = new Leaf();
    var seq = new Sequential(l -> l, x -> x);
    new Sequential(a, b);

    assertThat(a.name()).isEqualTo("leaf");
    assertThat(b.name()).isEqualTo("leaf_1");
    assertThat(seq.name()).isEqualTo("sequential");
  }

  @Test
  void closingScopesOutOfOrder_fails() {
    var outer = NameScope.open();
    var inner = NameScope.open();
    try {
      assertThatThrownBy(outer::close)
          .isInstanceOf(ModuleException.class)
          .hasMessageContaining("closed out of order");
    } finally {
      inner.close();
      outer.close();
    }
  }

  @Test
  void invalidExplicitName_failsInTheConstructor() {
    assertThatThrownBy(() -> new Leaf("a/b"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("\"a/b\" is not a valid name");
  }

  @Test
  void submodules_listEachModuleOnce_inPreOrder() {
    var shared = new Leaf("shared");
    var left = new Node("left").add(shared);
    var right = new Node("right").add(shared);
    var root = new Node("root").add(left).add(right);

    assertThat(root.submodules()).containsExactly(left, shared, right);
  }

  @Test
  void aModuleClassWithoutGeneratedMeta_failsWithTheFix() {
    Module anonymous = new Module("anon") {};

    assertThatThrownBy(anonymous::submodules)
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("compiled without the Sonnet annotation processor")
        .hasMessageContaining("annotationProcessorPaths");
  }
}
