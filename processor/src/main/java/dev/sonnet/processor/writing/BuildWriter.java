package dev.sonnet.processor.writing;

import com.squareup.javapoet.AnnotationSpec;
import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.model.ModuleModel;
import dev.sonnet.processor.model.ModuleModel.BuildModel;
import dev.sonnet.processor.model.ModuleModel.BuildParam;
import java.util.Set;
import javax.lang.model.element.Modifier;

/** The build methods: their names, and a dispatcher that checks and passes their inputs. */
final class BuildWriter {
  /** Names of the dispatcher's own parameters, which a build input must not shadow. */
  private static final Set<String> RESERVED = Set.of("module", "index", "inputs", "signature");

  private BuildWriter() {}

  static void write(ModuleModel model, TypeSpec.Builder spec) {
    CodeBlock.Builder names = CodeBlock.builder();
    for (int i = 0; i < model.builds().size(); i++) {
      names.add(i == 0 ? "$S" : ", $S", model.builds().get(i).method());
    }
    spec.addMethod(
        MethodSpec.methodBuilder("buildMethods")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(String[].class)
            .addStatement("return new String[] {$L}", names.build())
            .build());

    MethodSpec.Builder build =
        RegistryWriter.method("build", model)
            .addParameter(int.class, "index")
            .addParameter(Object[].class, "inputs");
    boolean unchecked = false;
    for (int i = 0; i < model.builds().size(); i++) {
      BuildModel b = model.builds().get(i);
      build
          .beginControlFlow("if (index == $L)", i)
          .addStatement("String signature = $S", b.signature())
          .addStatement(
              "$T.arity(inputs, $L, $S, signature)",
              ApiNames.BUILDS,
              b.params().size(),
              model.simpleName());
      CodeBlock.Builder args = CodeBlock.builder();
      for (int p = 0; p < b.params().size(); p++) {
        BuildParam param = b.params().get(p);
        String local = RESERVED.contains(param.name()) ? param.name() + "Input" : param.name();
        CodeBlock read =
            CodeBlock.of(
                "$T.input(inputs, $L, $T.class, $S, signature)",
                ApiNames.BUILDS,
                p,
                rawClass(param.checkType()),
                model.simpleName());
        if (param.unchecked()) {
          read = CodeBlock.of("($T) $L", param.type(), read);
          unchecked = true;
        }
        build.addStatement("$T $N = $L", param.type(), local, read);
        args.add(p == 0 ? "$N" : ", $N", local);
      }
      build
          .addStatement("module.$N($L)", b.method(), args.build())
          .addStatement("return")
          .endControlFlow();
    }
    build.addStatement(
        "throw new $T($S + index)",
        IndexOutOfBoundsException.class,
        model.simpleName() + " has no build method ");
    if (unchecked && !model.generic()) {
      build.addAnnotation(
          AnnotationSpec.builder(SuppressWarnings.class)
              .addMember("value", "$S", "unchecked")
              .build());
    }
    spec.addMethod(build.build());

    MethodSpec.Builder signature =
        MethodSpec.methodBuilder("buildSignature")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(String.class)
            .addParameter(int.class, "index");
    for (int i = 0; i < model.builds().size(); i++) {
      signature
          .beginControlFlow("if (index == $L)", i)
          .addStatement("return $S", model.builds().get(i).signature())
          .endControlFlow();
    }
    signature.addStatement(
        "throw new $T($S + index)",
        IndexOutOfBoundsException.class,
        model.simpleName() + " has no build method ");
    spec.addMethod(signature.build());
  }

  private static TypeName rawClass(TypeName t) {
    if (t instanceof ParameterizedTypeName p) {
      return p.rawType;
    }
    if (t instanceof ClassName || t.isPrimitive()) {
      return t;
    }
    return t;
  }
}
