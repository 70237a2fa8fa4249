package dev.sonnet.processor.model;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.TypeName;
import java.util.List;

/**
 * A module's configuration, read from its {@code @Settings} constructor: what the generated builder
 * needs. Settings are in the constructor's order.
 *
 * @param builder the generated builder's name, {@code <Module>Builder}
 * @param publicBuilder whether the builder is public (it is when the module is)
 * @param settings the constructor's parameters
 */
public record SettingsModel(ClassName builder, boolean publicBuilder, List<Setting> settings) {

  /** Whether a setting is given to the builder's constructor, set by name, or is the name. */
  public enum Role {
    REQUIRED,
    OPTIONAL,
    NAME
  }

  /**
   * One setting.
   *
   * @param name the parameter's name, also the builder method's
   * @param type its type
   * @param role required, optional or the module name
   * @param defaultOwner the class declaring its {@code DEFAULT_*} constant; null unless optional
   * @param defaultConstant the constant's name; null unless optional
   * @param arrayFromList whether an {@code int[]} setting is filled from a {@code List<Integer>}
   *     default
   * @param valueType how its value is written out and read back
   * @param read how generated code in the module's package reads it back from {@code module}
   * @param readFits whether what {@code read} gives has the setting's type (else it is written by
   *     its runtime kind: a {@code List<Integer>} accessor for an {@code int[]} setting)
   */
  public record Setting(
      String name,
      TypeName type,
      Role role,
      ClassName defaultOwner,
      String defaultConstant,
      boolean arrayFromList,
      SettingType valueType,
      com.squareup.javapoet.CodeBlock read,
      boolean readFits) {}

  /** The settings the builder's constructor takes. */
  public List<Setting> required() {
    return settings.stream().filter(s -> s.role() == Role.REQUIRED).toList();
  }

  /** The settings with a builder method each (the optional ones and the name), in order. */
  public List<Setting> named() {
    return settings.stream().filter(s -> s.role() != Role.REQUIRED).toList();
  }
}
