package test;

import dev.sonnet.module.Builds;
import dev.sonnet.module.ModuleMeta;
import dev.sonnet.module.Repr;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import javax.annotation.processing.Generated;

/**
 * What the Sonnet annotation processor knows about {@link MyLinear}: its variables, submodules,
 * build methods and constructor call. Generated from its source; do not edit.
 */
@Generated("dev.sonnet.processor.ModuleProcessor")
public final class MyLinear_Meta implements ModuleMeta<MyLinear> {
  /**
   * Instantiated by {@link java.util.ServiceLoader}.
   */
  public MyLinear_Meta() {
  }

  @Override
  public Class<MyLinear> moduleClass() {
    return MyLinear.class;
  }

  @Override
  public void visitParams(MyLinear module, ModuleMeta.ParamVisitor visitor) {
    visitor.param("w", module.w, true);
    visitor.param("b", module.b, true);
  }

  @Override
  public void visitChildren(MyLinear module, ModuleMeta.ChildVisitor visitor) {
  }

  @Override
  public boolean setParam(MyLinear module, String field, Variable value) {
    if (field.equals("w")) {
      module.w = value;
      return true;
    }
    if (field.equals("b")) {
      module.b = value;
      return true;
    }
    return false;
  }

  @Override
  public String[] buildMethods() {
    return new String[] {"initialize"};
  }

  @Override
  public void build(MyLinear module, int index, Object[] inputs) {
    if (index == 0) {
      String signature = "initialize(Tensor x)";
      Builds.arity(inputs, 1, "MyLinear", signature);
      Tensor x = Builds.input(inputs, 0, Tensor.class, "MyLinear", signature);
      module.initialize(x);
      return;
    }
    throw new IndexOutOfBoundsException("MyLinear has no build method " + index);
  }

  @Override
  public String buildSignature(int index) {
    if (index == 0) {
      return "initialize(Tensor x)";
    }
    throw new IndexOutOfBoundsException("MyLinear has no build method " + index);
  }

  @Override
  public Repr repr(MyLinear module) {
    Repr r = Repr.of("MyLinear");
    r.arg("outputSize", module.outputSize);
    if (module.explicitName() != null) {
      r.arg("name", module.explicitName());
    }
    return r;
  }
}
