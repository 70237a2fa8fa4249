package dev.sonnet.processor.validation;

import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.ElementFacts;
import dev.sonnet.processor.SettingTypes;
import java.util.List;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.ElementFilter;

/**
 * Checks a module's {@code @Settings} constructor, from which its builder is generated: one per
 * class, callable by the builder, on a concrete non-generic class, every setting of a supported
 * type and every default constant fitting its setting.
 */
public final class SettingsValidator {
  private final ElementFacts facts;
  private final SettingTypes settingTypes;

  public SettingsValidator(ElementFacts facts) {
    this.facts = facts;
    this.settingTypes = new SettingTypes(facts.types());
  }

  public void validate(TypeElement type, Report report) {
    List<ExecutableElement> marked =
        ElementFilter.constructorsIn(type.getEnclosedElements()).stream()
            .filter(c -> facts.annotation(c, ApiNames.SETTINGS.canonicalName()).isPresent())
            .toList();
    if (marked.isEmpty()) {
      return;
    }
    String cls = type.getSimpleName().toString();
    for (ExecutableElement extra : marked.subList(1, marked.size())) {
      report.error(
          extra,
          annotationOn(extra),
          "SntSettingsTwice",
          cls
              + " has more than one"
              + " @Settings constructor, but a module's configuration is described once. Fix: keep"
              + " @Settings on the constructor with every setting, and let the others call it with"
              + " this(...).");
    }
    ExecutableElement ctor = marked.get(0);
    if (type.getModifiers().contains(Modifier.ABSTRACT)) {
      report.error(
          ctor,
          annotationOn(ctor),
          "SntSettingsAbstract",
          "@Settings on a constructor"
              + " of abstract class "
              + cls
              + ", which no builder can instantiate. Fix: move"
              + " @Settings to each concrete subclass's full constructor.");
      return;
    }
    if (ctor.getModifiers().contains(Modifier.PRIVATE)) {
      report.error(
          ctor,
          annotationOn(ctor),
          "SntSettingsPrivate",
          "@Settings constructor of "
              + cls
              + " is private, so the generated "
              + cls
              + "Builder cannot call it. Fix: make it"
              + " package-private (remove 'private'): users still go through the builder.");
    }
    if (!type.getTypeParameters().isEmpty()) {
      report.error(
          ctor,
          annotationOn(ctor),
          "SntSettingsGeneric",
          "@Settings on generic class "
              + cls
              + ", whose builder would need its type parameters. Fix: make the settings"
              + " concrete types, or remove @Settings and keep public constructors.");
    }
    for (VariableElement p : ctor.getParameters()) {
      checkSetting(type, p, report);
    }
  }

  private void checkSetting(TypeElement type, VariableElement p, Report report) {
    String name = p.getSimpleName().toString();
    if (!settingTypes.supported(p.asType())) {
      report.error(
          p,
          "SntSettingType",
          "Setting '"
              + name
              + "' of "
              + type.getSimpleName()
              + " has type "
              + p.asType()
              + ", which a configuration cannot write out and read back."
              + " A setting is "
              + SettingTypes.SUPPORTED
              + ". Fix: describe it with one of these,"
              + " e.g. a record of its parts, and build the object in the constructor.");
      return;
    }
    facts
        .defaultConstant(type, p)
        .ifPresent(
            constant -> {
              if (!settingTypes.defaultFits(constant.asType(), p.asType())) {
                String wanted =
                    SettingTypes.isIntArray(p.asType()) ? "List<Integer>" : p.asType().toString();
                report.error(
                    constant,
                    "SntSettingDefaultType",
                    "Default "
                        + constant.getSimpleName()
                        + " has type "
                        + constant.asType()
                        + ", which does not fit setting '"
                        + name
                        + "' of type "
                        + p.asType()
                        + ". Fix: declare it as 'static final "
                        + wanted
                        + " "
                        + constant.getSimpleName()
                        + " = ...;'.");
              }
            });
  }

  private javax.lang.model.element.AnnotationMirror annotationOn(ExecutableElement ctor) {
    return facts.annotation(ctor, ApiNames.SETTINGS.canonicalName()).orElse(null);
  }
}
