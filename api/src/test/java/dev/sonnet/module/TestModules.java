package dev.sonnet.module;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written modules for api's own tests, which run without the processor: they describe
 * themselves by overriding the package-private hooks, as the module package's own classes do.
 */
final class TestModules {
  private TestModules() {}

  /** A module with no children. */
  static final class Leaf extends Module implements Layer {
    @Override
    public dev.sonnet.tensor.Tensor call(dev.sonnet.tensor.Tensor x) {
      return x;
    }

    Leaf(String name) {
      super(name);
    }

    Leaf() {
      super();
    }

    @Override
    void visitParams(ModuleMeta.ParamVisitor visitor) {}

    @Override
    void visitChildren(ModuleMeta.ChildVisitor visitor) {}

    @Override
    Repr repr() {
      Repr r = Repr.of("Leaf");
      return explicitName() == null ? r : r.arg("name", explicitName());
    }
  }

  /** A module whose children are whatever was added to it. */
  static final class Node extends Module {
    final List<Module> children = new ArrayList<>();

    Node(String name) {
      super(name);
    }

    Node add(Module child) {
      children.add(child);
      return this;
    }

    @Override
    void visitParams(ModuleMeta.ParamVisitor visitor) {}

    @Override
    void visitChildren(ModuleMeta.ChildVisitor visitor) {
      for (int i = 0; i < children.size(); i++) {
        visitor.child("children", Integer.toString(i), children.get(i));
      }
    }

    @Override
    Repr repr() {
      return Repr.of("Node");
    }
  }
}
