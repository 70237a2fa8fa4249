package dev.sonnet.processor.writing;

import com.squareup.javapoet.AnnotationSpec;
import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.JavaFile;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeSpec;
import com.squareup.javapoet.WildcardTypeName;
import dev.sonnet.processor.ApiNames;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;

/**
 * A class that lists a compilation's generated metas in code, for a library whose registration must
 * survive being merged into a fat jar: the library's own code refers to it by name, so nothing
 * depends on a {@code META-INF/services} file that a merge may drop. Written when the option
 * {@value dev.sonnet.processor.ModuleProcessor#STATIC_REGISTRY_OPTION} names the class.
 */
public final class StaticRegistryWriter {
  private StaticRegistryWriter() {}

  /**
   * The package-private class {@code registry} with {@code static List<ModuleMeta<?>> all()}
   * returning one instance of each of {@code metaClassNames}, sorted by name.
   */
  public static JavaFile write(ClassName registry, Collection<String> metaClassNames) {
    CodeBlock.Builder list = CodeBlock.builder().add("return $T.of(", List.class);
    String separator = "";
    for (String name : new TreeSet<>(metaClassNames)) {
      list.add(separator).add("\n    new $T()", ClassName.bestGuess(name));
      separator = ",";
    }
    list.add(")");
    TypeSpec spec =
        TypeSpec.classBuilder(registry)
            .addJavadoc(
                "Every module meta the Sonnet annotation processor generated for this library,"
                    + "\nlisted in code so that no service file is needed to find them. Generated;"
                    + " do not edit.\n")
            .addAnnotation(
                AnnotationSpec.builder(ApiNames.GENERATED)
                    .addMember("value", "$S", "dev.sonnet.processor.ModuleProcessor")
                    .build())
            .addModifiers(Modifier.FINAL)
            .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
            .addMethod(
                MethodSpec.methodBuilder("all")
                    .addJavadoc("A new instance of each generated meta, sorted by class name.\n")
                    .addModifiers(Modifier.STATIC)
                    .returns(
                        ParameterizedTypeName.get(
                            ClassName.get(List.class),
                            ParameterizedTypeName.get(
                                ApiNames.MODULE_META, WildcardTypeName.subtypeOf(Object.class))))
                    .addStatement(list.build())
                    .build())
            .build();
    return JavaFile.builder(registry.packageName(), spec).build();
  }
}
