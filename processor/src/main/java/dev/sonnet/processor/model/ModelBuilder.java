package dev.sonnet.processor.model;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.TypeName;
import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.ElementFacts;
import dev.sonnet.processor.ElementFacts.Source;
import dev.sonnet.processor.ElementFacts.SourceKind;
import dev.sonnet.processor.SettingTypes;
import dev.sonnet.processor.model.ModuleModel.ArgModel;
import dev.sonnet.processor.model.ModuleModel.BuildModel;
import dev.sonnet.processor.model.ModuleModel.BuildParam;
import dev.sonnet.processor.model.ModuleModel.ChildModel;
import dev.sonnet.processor.model.ModuleModel.ParamModel;
import dev.sonnet.processor.model.SettingsModel.Role;
import dev.sonnet.processor.model.SettingsModel.Setting;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;

/** Turns a validated module class into a {@link ModuleModel}. */
public final class ModelBuilder {
  private final ElementFacts facts;
  private final SettingTypes settingTypes;

  public ModelBuilder(ElementFacts facts) {
    this.facts = facts;
    this.settingTypes = new SettingTypes(facts.types());
  }

  public ModuleModel build(TypeElement type) {
    ClassName name = ClassName.get(type);
    boolean generic = !type.getTypeParameters().isEmpty();
    List<ParamModel> params = new ArrayList<>();
    List<ChildModel> children = new ArrayList<>();
    for (VariableElement f : ElementFilter.fieldsIn(type.getEnclosedElements())) {
      if (f.getModifiers().contains(Modifier.STATIC)) {
        continue;
      }
      var param = facts.annotation(f, ApiNames.PARAM.canonicalName());
      if (param.isPresent()) {
        Object trainable = facts.annotationValue(param.get(), "trainable");
        params.add(new ParamModel(f.getSimpleName().toString(), !Boolean.FALSE.equals(trainable)));
      } else {
        facts
            .holdKind(f)
            .ifPresent(kind -> children.add(new ChildModel(f.getSimpleName().toString(), kind)));
      }
    }
    List<BuildModel> builds = new ArrayList<>();
    for (ExecutableElement m : ElementFilter.methodsIn(type.getEnclosedElements())) {
      if (facts.annotation(m, ApiNames.BUILD.canonicalName()).isPresent()) {
        List<BuildParam> ps = new ArrayList<>();
        for (VariableElement p : m.getParameters()) {
          ps.add(buildParam(p));
        }
        builds.add(new BuildModel(m.getSimpleName().toString(), List.copyOf(ps)));
      }
    }
    List<ArgModel> ctor = null;
    ExecutableElement c = facts.reprConstructor(type);
    if (c != null && !type.getModifiers().contains(Modifier.ABSTRACT)) {
      ctor = new ArrayList<>();
      for (VariableElement p : c.getParameters()) {
        Source s = facts.source(type, p).orElseThrow();
        VariableElement constant = facts.defaultConstant(type, p).orElse(null);
        String def = constant == null ? null : constant.getSimpleName().toString();
        ClassName owner = constant == null ? null : ownerOf(constant);
        String transposeWith =
            facts
                .annotation(p, ApiNames.TRANSPOSE_WITH.canonicalName())
                .map(a -> (String) facts.annotationValue(a, "value"))
                .orElse(null);
        ctor.add(
            new ArgModel(
                p.getSimpleName().toString(),
                TypeName.get(p.asType()),
                s.kind(),
                s.member(),
                owner,
                def,
                transposeWith));
      }
      ctor = List.copyOf(ctor);
    }
    boolean transposable =
        facts.annotation(type, ApiNames.TRANSPOSABLE.canonicalName()).isPresent();
    return new ModuleModel(
        name,
        name,
        generic,
        metaName(name),
        type.getSimpleName().toString(),
        List.copyOf(params),
        List.copyOf(children),
        List.copyOf(builds),
        ctor,
        transposable,
        settings(type));
  }

  /** The {@code @Settings} constructor as a {@link SettingsModel}, or null without one. */
  private SettingsModel settings(TypeElement type) {
    ExecutableElement c = facts.settingsConstructor(type);
    if (c == null) {
      return null;
    }
    List<Setting> settings = new ArrayList<>();
    for (VariableElement p : c.getParameters()) {
      String name = p.getSimpleName().toString();
      VariableElement constant = facts.defaultConstant(type, p).orElse(null);
      Source source = facts.source(type, p).orElseThrow();
      SettingType valueType = settingTypes.describe(p.asType());
      CodeBlock read =
          source.kind() == SourceKind.FIELD
              ? CodeBlock.of("module.$N", source.member())
              : CodeBlock.of("module.$N()", source.member());
      if (source.kind() == SourceKind.NAME) {
        settings.add(
            new Setting(
                name,
                TypeName.get(p.asType()),
                Role.NAME,
                null,
                null,
                false,
                valueType,
                read,
                true));
      } else if (constant == null) {
        settings.add(
            new Setting(
                name,
                TypeName.get(p.asType()),
                Role.REQUIRED,
                null,
                null,
                false,
                valueType,
                read,
                source.assignable()));
      } else {
        boolean fromList =
            SettingTypes.isIntArray(p.asType()) && !SettingTypes.isIntArray(constant.asType());
        settings.add(
            new Setting(
                name,
                TypeName.get(p.asType()),
                Role.OPTIONAL,
                ownerOf(constant),
                constant.getSimpleName().toString(),
                fromList,
                valueType,
                read,
                source.assignable()));
      }
    }
    ClassName type0 = ClassName.get(type);
    ClassName builder =
        ClassName.get(type0.packageName(), String.join("_", type0.simpleNames()) + "Builder");
    return new SettingsModel(
        builder, type.getModifiers().contains(Modifier.PUBLIC), List.copyOf(settings));
  }

  private static ClassName ownerOf(VariableElement constant) {
    return ClassName.get((TypeElement) constant.getEnclosingElement());
  }

  /** {@code a.b.Outer.Inner -> a.b.Outer_Inner_Meta}. */
  public static ClassName metaName(ClassName type) {
    return ClassName.get(type.packageName(), String.join("_", type.simpleNames()) + "_Meta");
  }

  private BuildParam buildParam(VariableElement p) {
    TypeMirror t = p.asType();
    TypeMirror erased = facts.types().erasure(t);
    TypeName check = TypeName.get(erased);
    if (t.getKind().isPrimitive()) {
      check = check.box();
    }
    boolean unchecked =
        t.getKind() == TypeKind.TYPEVAR
            || (t.getKind() == TypeKind.DECLARED
                && !((DeclaredType) t).getTypeArguments().isEmpty());
    String display = simpleTypeName(t) + " " + p.getSimpleName();
    return new BuildParam(p.getSimpleName().toString(), TypeName.get(t), check, display, unchecked);
  }

  private static String simpleTypeName(TypeMirror t) {
    String s = t.toString();
    return s.replaceAll("\\b[a-z][a-z0-9_]*\\.", "");
  }
}
