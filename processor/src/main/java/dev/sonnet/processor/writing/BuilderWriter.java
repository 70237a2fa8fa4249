package dev.sonnet.processor.writing;

import com.squareup.javapoet.AnnotationSpec;
import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.JavaFile;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.model.ModuleModel;
import dev.sonnet.processor.model.SettingsModel;
import dev.sonnet.processor.model.SettingsModel.Role;
import dev.sonnet.processor.model.SettingsModel.Setting;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Writes {@code <Module>Builder} from a module's {@code @Settings} constructor: the required
 * settings are its constructor's parameters, each optional setting (and the name) has one fluent
 * method and starts at its {@code DEFAULT_*} constant, and {@code build()} calls the module's
 * constructor, which checks the settings. An {@code int[]} setting's method takes varargs, and so
 * does the constructor when its last required setting is one.
 */
public final class BuilderWriter {
  private BuilderWriter() {}

  /** The generated file, or null when the module has no {@code @Settings} constructor. */
  public static JavaFile write(ModuleModel model) {
    SettingsModel settings = model.settings();
    if (settings == null) {
      return null;
    }
    ClassName module = model.type();
    String simple = model.simpleName();
    TypeSpec.Builder spec =
        TypeSpec.classBuilder(settings.builder())
            .addJavadoc(
                "Builds a {@link $T} from named settings; a setting left unset keeps its"
                    + " default, the\n{@code DEFAULT_*} constant named on its method. Generated from the"
                    + " {@code @Settings}\nconstructor of $L; do not edit.\n",
                module,
                simple)
            .addAnnotation(
                AnnotationSpec.builder(ApiNames.GENERATED)
                    .addMember("value", "$S", MetaWriter.PROCESSOR)
                    .build())
            .addModifiers(visibility(settings))
            .addModifiers(Modifier.FINAL);
    for (Setting s : settings.settings()) {
      spec.addField(field(s));
    }
    spec.addMethod(constructor(settings, simple));
    for (Setting s : settings.named()) {
      spec.addMethod(setter(settings, s, module));
    }
    spec.addMethod(build(settings, module, simple));
    return JavaFile.builder(module.packageName(), spec.build())
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  private static Modifier[] visibility(SettingsModel settings) {
    return settings.publicBuilder() ? new Modifier[] {Modifier.PUBLIC} : new Modifier[0];
  }

  private static FieldSpec field(Setting s) {
    FieldSpec.Builder f = FieldSpec.builder(s.type(), s.name(), Modifier.PRIVATE);
    if (s.role() == Role.REQUIRED) {
      return f.addModifiers(Modifier.FINAL).build();
    }
    if (s.role() == Role.OPTIONAL) {
      f.initializer(
          s.arrayFromList()
              ? CodeBlock.of(
                  "$T.$N.stream().mapToInt(Integer::intValue).toArray()",
                  s.defaultOwner(),
                  s.defaultConstant())
              : CodeBlock.of("$T.$N", s.defaultOwner(), s.defaultConstant()));
    }
    return f.build();
  }

  private static MethodSpec constructor(SettingsModel settings, String simple) {
    List<Setting> required = settings.required();
    MethodSpec.Builder m =
        MethodSpec.constructorBuilder()
            .addModifiers(visibility(settings))
            .addJavadoc(
                "Starts a $L with its required settings; every other setting has its"
                    + " default.\n",
                simple);
    for (Setting s : required) {
      m.addParameter(s.type(), s.name()).addStatement("this.$N = $N", s.name(), s.name());
    }
    return m.varargs(!required.isEmpty() && isIntArray(required.get(required.size() - 1))).build();
  }

  private static MethodSpec setter(SettingsModel settings, Setting s, ClassName module) {
    MethodSpec.Builder m =
        MethodSpec.methodBuilder(s.name())
            .addModifiers(visibility(settings))
            .returns(settings.builder())
            .addParameter(s.type(), s.name())
            .varargs(isIntArray(s))
            .addStatement("this.$N = $N", s.name(), s.name())
            .addStatement("return this");
    if (s.role() == Role.NAME) {
      m.addJavadoc(
          "Sets the module name; by default the class name in snake_case, made unique"
              + "\namong siblings.\n");
    } else {
      m.addJavadoc(
          "Sets {@code $L}; by default {@link $T#$L}, whose Javadoc says why.\n",
          s.name(),
          s.defaultOwner(),
          s.defaultConstant());
    }
    return m.build();
  }

  private static MethodSpec build(SettingsModel settings, ClassName module, String simple) {
    CodeBlock.Builder args = CodeBlock.builder();
    for (int i = 0; i < settings.settings().size(); i++) {
      args.add(i == 0 ? "$N" : ", $N", settings.settings().get(i).name());
    }
    return MethodSpec.methodBuilder("build")
        .addModifiers(visibility(settings))
        .returns(module)
        .addJavadoc(
            "A new $L with these settings. Each call makes a new module.\n\n"
                + "@throws IllegalArgumentException if a setting breaks a rule of $L; the message"
                + " names the\n    module, the setting and the rule\n",
            simple,
            simple)
        .addStatement("return new $T($L)", module, args.build())
        .build();
  }

  private static boolean isIntArray(Setting s) {
    return s.type().equals(com.squareup.javapoet.ArrayTypeName.of(TypeName.INT));
  }
}
