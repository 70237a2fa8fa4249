package test;

import dev.sonnet.module.Builds;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleMeta;
import dev.sonnet.module.Repr;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.processing.Generated;

/**
 * What the Sonnet annotation processor knows about {@link Composite}: its variables, submodules,
 * build methods and constructor call. Generated from its source; do not edit.
 */
@Generated("dev.sonnet.processor.ModuleProcessor")
public final class Composite_Meta implements ModuleMeta<Composite> {
  /**
   * Instantiated by {@link java.util.ServiceLoader}.
   */
  public Composite_Meta() {
  }

  @Override
  public Class<Composite> moduleClass() {
    return Composite.class;
  }

  @Override
  public void visitParams(Composite module, ModuleMeta.ParamVisitor visitor) {
    visitor.param("movingMean", module.movingMean, false);
  }

  @Override
  public void visitChildren(Composite module, ModuleMeta.ChildVisitor visitor) {
    visitor.child("activation", null, module.activation);
    if (module.layers != null) {
      int i = 0;
      for (Object element : module.layers) {
        visitor.child("layers", Integer.toString(i++), element);
      }
    }
    if (module.heads != null) {
      for (int i = 0; i < module.heads.length; i++) {
        visitor.child("heads", Integer.toString(i), module.heads[i]);
      }
    }
    if (module.byName != null) {
      for (Map.Entry<?, ?> e : Builds.sortedEntries(module.byName)) {
        visitor.child("byName", String.valueOf(e.getKey()), e.getValue());
      }
    }
    visitor.child("encoder", null, module.encoder);
  }

  @Override
  public boolean setParam(Composite module, String field, Variable value) {
    if (field.equals("movingMean")) {
      module.movingMean = value;
      return true;
    }
    return false;
  }

  @Override
  public String[] buildMethods() {
    return new String[] {"initialize"};
  }

  @Override
  @SuppressWarnings("unchecked")
  public void build(Composite module, int index, Object[] inputs) {
    if (index == 0) {
      String signature = "initialize(Tensor x, List<Tensor> extra, int steps)";
      Builds.arity(inputs, 3, "Composite", signature);
      Tensor x = Builds.input(inputs, 0, Tensor.class, "Composite", signature);
      List<Tensor> extra = (List<Tensor>) Builds.input(inputs, 1, List.class, "Composite", signature);
      int steps = Builds.input(inputs, 2, Integer.class, "Composite", signature);
      module.initialize(x, extra, steps);
      return;
    }
    throw new IndexOutOfBoundsException("Composite has no build method " + index);
  }

  @Override
  public String buildSignature(int index) {
    if (index == 0) {
      return "initialize(Tensor x, List<Tensor> extra, int steps)";
    }
    throw new IndexOutOfBoundsException("Composite has no build method " + index);
  }

  @Override
  public Repr repr(Composite module) {
    Repr r = Repr.of("Composite");
    r.arg("outputSize", module.outputSize);
    if (Double.compare(module.rate, Composite.DEFAULT_RATE) != 0) {
      r.arg("rate", module.rate);
    }
    if (!Objects.equals(module.activation, Composite.DEFAULT_ACTIVATION)) {
      r.arg("activation", module.activation);
    }
    if (module.layers != null) {
      r.arg("layers", module.layers);
    }
    if (module.explicitName() != null) {
      r.arg("name", module.explicitName());
    }
    return r;
  }

  @Override
  public boolean transposable() {
    return true;
  }

  /**
   * Called on the transpose's first call, once {@code module} is built.
   */
  @Override
  public Module transpose(Composite module) {
    return new Composite(module.inputSize(), module.rate, module.activation, module.layers, null);
  }

  @Override
  public Module respecify(Composite module) {
    return new Composite(module.outputSize, module.rate, module.activation, module.layers, module.explicitName());
  }
}
