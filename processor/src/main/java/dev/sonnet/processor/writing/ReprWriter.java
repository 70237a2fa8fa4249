package dev.sonnet.processor.writing;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.ElementFacts.SourceKind;
import dev.sonnet.processor.model.ModuleModel;
import dev.sonnet.processor.model.ModuleModel.ArgModel;
import java.util.Objects;

/**
 * The repr: the constructor call, each argument read back from its field or accessor, left out when
 * it equals its {@code DEFAULT_X} constant (or, for an object without one, when null).
 */
final class ReprWriter {
  private ReprWriter() {}

  static void write(ModuleModel model, TypeSpec.Builder spec) {
    MethodSpec.Builder repr = RegistryWriter.method("repr", model).returns(ApiNames.REPR);
    if (model.constructor() == null) {
      spec.addMethod(repr.addStatement("return null").build());
      return;
    }
    repr.addStatement("$T r = $T.of($S)", ApiNames.REPR, ApiNames.REPR, model.simpleName());
    for (ArgModel a : model.constructor()) {
      CodeBlock value = read(a);
      CodeBlock add = CodeBlock.of("r.arg($S, $L)", a.name(), value);
      CodeBlock show = showWhen(model, a, value);
      if (show == null) {
        repr.addStatement(add);
      } else {
        repr.beginControlFlow("if ($L)", show).addStatement(add).endControlFlow();
      }
    }
    spec.addMethod(repr.addStatement("return r").build());
  }

  /** How generated code reads the argument back from {@code module}. */
  static CodeBlock read(ArgModel a) {
    return a.source() == SourceKind.FIELD
        ? CodeBlock.of("module.$N", a.member())
        : CodeBlock.of("module.$N()", a.member());
  }

  /** The condition under which the argument is shown, or null to always show it. */
  private static CodeBlock showWhen(ModuleModel model, ArgModel a, CodeBlock value) {
    TypeName t = a.type();
    if (a.defaultConstant() == null) {
      return t.isPrimitive() ? null : CodeBlock.of("$L != null", value);
    }
    CodeBlock def = CodeBlock.of("$T.$N", a.defaultOwner(), a.defaultConstant());
    if (t.equals(TypeName.DOUBLE)) {
      return CodeBlock.of("$T.compare($L, $L) != 0", Double.class, value, def);
    }
    if (t.equals(TypeName.FLOAT)) {
      return CodeBlock.of("$T.compare($L, $L) != 0", Float.class, value, def);
    }
    if (t.isPrimitive()) {
      return CodeBlock.of("$L != $L", value, def);
    }
    return CodeBlock.of("!$T.equals($L, $L)", Objects.class, value, def);
  }
}
