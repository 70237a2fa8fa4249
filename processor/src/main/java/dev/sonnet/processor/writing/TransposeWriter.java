package dev.sonnet.processor.writing;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.TypeSpec;
import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.ElementFacts.SourceKind;
import dev.sonnet.processor.model.ModuleModel;
import dev.sonnet.processor.model.ModuleModel.ArgModel;
import javax.lang.model.element.Modifier;

/**
 * For a {@code @Transposable} class: the transpose (the constructor called with the original's
 * arguments, those marked {@code @TransposeWith} replaced by the named method's result, the name
 * left to the wrapper) and the respecification (the original's arguments, for transposing twice).
 */
final class TransposeWriter {
  private TransposeWriter() {}

  static void write(ModuleModel model, TypeSpec.Builder spec) {
    if (!model.transposable() || model.constructor() == null) {
      return;
    }
    spec.addMethod(
        MethodSpec.methodBuilder("transposable")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(boolean.class)
            .addStatement("return true")
            .build());
    CodeBlock.Builder transposed = CodeBlock.builder();
    CodeBlock.Builder same = CodeBlock.builder();
    for (int i = 0; i < model.constructor().size(); i++) {
      ArgModel a = model.constructor().get(i);
      String sep = i == 0 ? "" : ", ";
      CodeBlock original = ReprWriter.read(a);
      CodeBlock value;
      if (a.transposeWith() != null) {
        value = CodeBlock.of("module.$N()", a.transposeWith());
      } else if (a.source() == SourceKind.NAME) {
        value = CodeBlock.of("null");
      } else {
        value = original;
      }
      transposed.add(sep + "$L", value);
      same.add(sep + "$L", original);
    }
    spec.addMethod(
        RegistryWriter.method("transpose", model)
            .addJavadoc("Called on the transpose's first call, once {@code module} is built.\n")
            .returns(ApiNames.MODULE)
            .addStatement("return new $T($L)", model.type(), transposed.build())
            .build());
    spec.addMethod(
        RegistryWriter.method("respecify", model)
            .returns(ApiNames.MODULE)
            .addStatement("return new $T($L)", model.type(), same.build())
            .build());
  }
}
