package dev.sonnet.processor.writing;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeSpec;
import com.squareup.javapoet.WildcardTypeName;
import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.model.ModuleModel;
import dev.sonnet.processor.model.ModuleModel.ChildModel;
import dev.sonnet.processor.model.ModuleModel.ParamModel;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The registry: which fields are variables and which hold submodules, and how to set a variable.
 */
final class RegistryWriter {
  private RegistryWriter() {}

  static void write(ModuleModel model, TypeSpec.Builder spec) {
    MethodSpec.Builder params =
        method("visitParams", model).addParameter(ApiNames.PARAM_VISITOR, "visitor");
    for (ParamModel p : model.params()) {
      params.addStatement("visitor.param($S, module.$N, $L)", p.field(), p.field(), p.trainable());
    }
    spec.addMethod(params.build());

    MethodSpec.Builder children =
        method("visitChildren", model).addParameter(ApiNames.CHILD_VISITOR, "visitor");
    for (ChildModel c : model.children()) {
      switch (c.kind()) {
        case SINGLE ->
            children.addStatement("visitor.child($S, null, module.$N)", c.field(), c.field());
        case ITERABLE ->
            children
                .beginControlFlow("if (module.$N != null)", c.field())
                .addStatement("int i = 0")
                .beginControlFlow("for (Object element : module.$N)", c.field())
                .addStatement(
                    "visitor.child($S, $T.toString(i++), element)", c.field(), Integer.class)
                .endControlFlow()
                .endControlFlow();
        case ARRAY ->
            children
                .beginControlFlow("if (module.$N != null)", c.field())
                .beginControlFlow("for (int i = 0; i < module.$N.length; i++)", c.field())
                .addStatement(
                    "visitor.child($S, $T.toString(i), module.$N[i])",
                    c.field(),
                    Integer.class,
                    c.field())
                .endControlFlow()
                .endControlFlow();
        case MAP ->
            children
                .beginControlFlow("if (module.$N != null)", c.field())
                .beginControlFlow(
                    "for ($T e : $T.sortedEntries(module.$N))",
                    ParameterizedTypeName.get(
                        ClassName.get(Map.Entry.class),
                        WildcardTypeName.subtypeOf(Object.class),
                        WildcardTypeName.subtypeOf(Object.class)),
                    ApiNames.BUILDS,
                    c.field())
                .addStatement(
                    "visitor.child($S, $T.valueOf(e.getKey()), e.getValue())",
                    c.field(),
                    String.class)
                .endControlFlow()
                .endControlFlow();
      }
    }
    spec.addMethod(children.build());

    MethodSpec.Builder set =
        method("setParam", model)
            .returns(boolean.class)
            .addParameter(String.class, "field")
            .addParameter(ApiNames.VARIABLE, "value");
    for (ParamModel p : model.params()) {
      set.beginControlFlow("if (field.equals($S))", p.field())
          .addStatement("module.$N = value", p.field())
          .addStatement("return true")
          .endControlFlow();
    }
    set.addStatement("return false");
    spec.addMethod(set.build());
  }

  static MethodSpec.Builder method(String name, ModuleModel model) {
    return MethodSpec.methodBuilder(name)
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .addParameter(MetaWriter.moduleType(model), "module");
  }
}
