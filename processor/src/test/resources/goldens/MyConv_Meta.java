package test;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.ModuleMeta;
import dev.sonnet.module.Repr;
import dev.sonnet.module.SettingsReader;
import dev.sonnet.module.SettingsWriter;
import dev.sonnet.tensor.Variable;
import java.util.Objects;
import javax.annotation.processing.Generated;

/**
 * What the Sonnet annotation processor knows about {@link MyConv}: its variables, submodules,
 * build methods and constructor call. Generated from its source; do not edit.
 */
@Generated("dev.sonnet.processor.ModuleProcessor")
public final class MyConv_Meta implements ModuleMeta<MyConv> {
  /**
   * Instantiated by {@link java.util.ServiceLoader}.
   */
  public MyConv_Meta() {
  }

  @Override
  public Class<MyConv> moduleClass() {
    return MyConv.class;
  }

  @Override
  public void visitParams(MyConv module, ModuleMeta.ParamVisitor visitor) {
  }

  @Override
  public void visitChildren(MyConv module, ModuleMeta.ChildVisitor visitor) {
  }

  @Override
  public boolean setParam(MyConv module, String field, Variable value) {
    return false;
  }

  @Override
  public String[] buildMethods() {
    return new String[] {};
  }

  @Override
  public void build(MyConv module, int index, Object[] inputs) {
    throw new IndexOutOfBoundsException("MyConv has no build method " + index);
  }

  @Override
  public String buildSignature(int index) {
    throw new IndexOutOfBoundsException("MyConv has no build method " + index);
  }

  @Override
  public Repr repr(MyConv module) {
    Repr r = Repr.of("MyConv");
    r.arg("outputChannels", module.outputChannels);
    if (module.kernelShape != null) {
      r.arg("kernelShape", module.kernelShape);
    }
    if (!Objects.equals(module.stride, MyConv.DEFAULT_STRIDE)) {
      r.arg("stride", module.stride);
    }
    if (module.withBias != MyConv.DEFAULT_WITH_BIAS) {
      r.arg("withBias", module.withBias);
    }
    if (!Objects.equals(module.wInit, MyConv.DEFAULT_W_INIT)) {
      r.arg("wInit", module.wInit);
    }
    if (!Objects.equals(module.mode, MyConv.DEFAULT_MODE)) {
      r.arg("mode", module.mode);
    }
    if (module.explicitName() != null) {
      r.arg("name", module.explicitName());
    }
    return r;
  }

  @Override
  public boolean hasSettings() {
    return true;
  }

  @Override
  public void writeSettings(MyConv module, SettingsWriter out) {
    out.put("outputChannels", module.outputChannels);
    out.put("kernelShape", module.kernelShape);
    out.put("stride", module.stride);
    out.put("withBias", module.withBias);
    out.put("wInit", module.wInit);
    out.put("mode", module.mode);
    out.put("name", module.explicitName());
  }

  @Override
  public MyConv readSettings(SettingsReader in) {
    int outputChannels = in.get("outputChannels").asInt();
    int[] kernelShape = in.get("kernelShape").asIntArray();
    int[] stride = in.get("stride").asIntArray();
    boolean withBias = in.get("withBias").asBoolean();
    Initializer wInit = in.get("wInit").asInitializer();
    MyConv.Mode mode = in.get("mode").asEnum(MyConv.Mode.values());
    String name = in.get("name").asString();
    in.requireAllRead();
    return new MyConv(outputChannels, kernelShape, stride, withBias, wInit, mode, name);
  }
}
