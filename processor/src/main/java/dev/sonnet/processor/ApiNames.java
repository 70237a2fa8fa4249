package dev.sonnet.processor;

import com.squareup.javapoet.ClassName;

/**
 * The api types the processor refers to, by name only: the processor does not depend on api, so
 * api's own modules can be compiled with it, and it never loads a backend.
 */
public final class ApiNames {
  public static final String MODULE_PACKAGE = "dev.sonnet.module";

  public static final ClassName MODULE = ClassName.get(MODULE_PACKAGE, "Module");
  public static final ClassName PARAM = ClassName.get(MODULE_PACKAGE, "Param");
  public static final ClassName BUILD = ClassName.get(MODULE_PACKAGE, "Build");
  public static final ClassName TRANSPOSABLE = ClassName.get(MODULE_PACKAGE, "Transposable");
  public static final ClassName TRANSPOSE_WITH = ClassName.get(MODULE_PACKAGE, "TransposeWith");
  public static final ClassName LAYER = ClassName.get(MODULE_PACKAGE, "Layer");
  public static final ClassName MODULE_META = ClassName.get(MODULE_PACKAGE, "ModuleMeta");
  public static final ClassName PARAM_VISITOR = MODULE_META.nestedClass("ParamVisitor");
  public static final ClassName CHILD_VISITOR = MODULE_META.nestedClass("ChildVisitor");
  public static final ClassName REPR = ClassName.get(MODULE_PACKAGE, "Repr");
  public static final ClassName BUILDS = ClassName.get(MODULE_PACKAGE, "Builds");
  public static final ClassName VARIABLE = ClassName.get("dev.sonnet.tensor", "Variable");
  public static final ClassName SETTINGS = ClassName.get(MODULE_PACKAGE, "Settings");
  public static final ClassName SETTINGS_WRITER = ClassName.get(MODULE_PACKAGE, "SettingsWriter");
  public static final ClassName SETTINGS_READER = ClassName.get(MODULE_PACKAGE, "SettingsReader");
  public static final ClassName SETTING_VALUE = ClassName.get(MODULE_PACKAGE, "SettingValue");

  /** The api types a setting may have besides primitives, strings, enums, lists and records. */
  public static final java.util.List<String> SETTING_VALUE_TYPES =
      java.util.List.of(
          "dev.sonnet.initializers.Initializer",
          "dev.sonnet.optimizers.LearningRate",
          "dev.sonnet.nn.Pad",
          "dev.sonnet.module.Layer",
          "dev.sonnet.tensor.Tensor");

  public static final ClassName GENERATED =
      ClassName.get("javax.annotation.processing", "Generated");

  /** The service file listing every generated meta. */
  public static final String SERVICES_FILE = "META-INF/services/" + MODULE_META.canonicalName();

  private ApiNames() {}
}
