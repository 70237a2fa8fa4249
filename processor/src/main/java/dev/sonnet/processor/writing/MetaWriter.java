package dev.sonnet.processor.writing;

import com.squareup.javapoet.AnnotationSpec;
import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.JavaFile;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.model.ModuleModel;
import javax.lang.model.element.Modifier;

/**
 * Writes {@code <Module>_Meta}: one final class per module class, assembled from one writer per
 * concern (registry, build, repr, transpose). Takes a model, returns JavaPoet specs; never looks at
 * elements, so the same model always gives the same bytes.
 */
public final class MetaWriter {
  static final String PROCESSOR = "dev.sonnet.processor.ModuleProcessor";

  private MetaWriter() {}

  /** The generated file; the caller adds the originating element when writing it. */
  public static JavaFile write(ModuleModel model) {
    ClassName type = model.type();
    TypeSpec.Builder spec =
        TypeSpec.classBuilder(model.meta())
            .addJavadoc(
                "What the Sonnet annotation processor knows about {@link $T}: its variables,"
                    + " submodules,\nbuild methods and constructor call. Generated from its source; do"
                    + " not edit.\n",
                type)
            .addAnnotation(
                AnnotationSpec.builder(ApiNames.GENERATED)
                    .addMember("value", "$S", PROCESSOR)
                    .build())
            .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
            .addSuperinterface(
                ParameterizedTypeName.get(ApiNames.MODULE_META, model.typeArgument()));
    if (model.generic()) {
      spec.addAnnotation(
          AnnotationSpec.builder(SuppressWarnings.class)
              .addMember("value", "{$S, $S}", "rawtypes", "unchecked")
              .build());
    }
    spec.addMethod(
        MethodSpec.constructorBuilder()
            .addJavadoc("Instantiated by {@link java.util.ServiceLoader}.\n")
            .addModifiers(Modifier.PUBLIC)
            .build());
    spec.addMethod(
        MethodSpec.methodBuilder("moduleClass")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(ParameterizedTypeName.get(ClassName.get(Class.class), model.typeArgument()))
            .addStatement("return $T.class", type)
            .build());
    RegistryWriter.write(model, spec);
    BuildWriter.write(model, spec);
    ReprWriter.write(model, spec);
    TransposeWriter.write(model, spec);
    SettingsCodeWriter.write(model, spec);
    return JavaFile.builder(type.packageName(), spec.build())
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  /** {@code (T module)} parameter shared by most methods. */
  static TypeName moduleType(ModuleModel model) {
    return model.typeArgument();
  }
}
