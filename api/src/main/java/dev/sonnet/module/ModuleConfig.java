package dev.sonnet.module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A module's configuration as data: its class's registered name (the fully qualified name, looked
 * up among the ServiceLoader-registered {@code <Class>_Meta}s, never loaded by name) and the values
 * of its {@code @Settings} constructor's parameters, nested modules and records included. No
 * variable values: those are the checkpoint's.
 *
 * <pre>{@code
 * ModuleConfig config = ModuleConfig.of(linear);   // Linear, {outputSize=10, withBias=true, ...}
 * Module again = config.create();                  // a new, unbuilt Linear with those settings
 * }</pre>
 *
 * <p>The generated meta writes and reads the settings; {@link Sequential} is described here (its
 * layers, modules or named library functions, and its name). A module without a {@code @Settings}
 * constructor, a {@link FunctionModule}, or a setting holding a lambda cannot be described: the
 * {@link ModuleConfigException} names it and the fix.
 *
 * @param className the module class's fully qualified name
 * @param settings setting name to value (see {@link SettingEncoding} for the value kinds)
 */
public record ModuleConfig(String className, Map<String, Object> settings) {
  static final String SEQUENTIAL = Sequential.class.getName();

  public ModuleConfig {
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
  }

  /**
   * The configuration of {@code module}.
   *
   * @throws ModuleConfigException if it, or a module or value in its settings, cannot be described
   */
  public static ModuleConfig of(Module module) {
    return of(module, module.getClass().getSimpleName());
  }

  static ModuleConfig of(Module module, String where) {
    if (module instanceof Sequential s) {
      SettingsWriter out = new SettingsWriter(where);
      out.put("layers", s.layers());
      out.put("name", s.explicitName());
      return new ModuleConfig(SEQUENTIAL, out.values());
    }
    if (module instanceof FunctionModule) {
      throw new ModuleConfigException(
          where
              + " is a FunctionModule, which runs a Java function"
              + " that cannot be written out. Write it as a module class with a @Settings"
              + " constructor");
    }
    Metas.Chain chain = Metas.chain(module.getClass());
    chain.requireComplete(module);
    ModuleMeta<Module> meta = chain.own;
    if (meta == null || !meta.hasSettings()) {
      throw new ModuleConfigException(
          where
              + ": "
              + module.getClass().getName()
              + " has no"
              + " @Settings constructor, so its configuration cannot be written out and read back."
              + " Fix: mark its full constructor @Settings (each parameter readable from a field or"
              + " accessor of the same name), which also generates its builder");
    }
    SettingsWriter out = new SettingsWriter(where);
    meta.writeSettings(module, out);
    return new ModuleConfig(module.getClass().getName(), out.values());
  }

  /** {@code {"module": className, "settings": {...}}}: how a configuration nests in another. */
  public Map<String, Object> toTree() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put(SettingEncoding.MODULE, className);
    tree.put(SettingEncoding.SETTINGS, settings);
    return tree;
  }

  /**
   * Reads {@link #toTree()}'s form back; {@code where} names it in errors.
   *
   * @throws ModuleConfigException if it is not of that form
   */
  public static ModuleConfig fromTree(Map<String, Object> tree, String where) {
    SettingsReader in = new SettingsReader(tree, where);
    String className = in.get(SettingEncoding.MODULE).asString();
    SettingsReader settings = in.get(SettingEncoding.SETTINGS).asRecord();
    in.requireAllRead();
    if (className == null || settings == null) {
      throw new ModuleConfigException(
          where + ": a module configuration needs a class name and" + " its settings");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> values = (Map<String, Object>) tree.get(SettingEncoding.SETTINGS);
    return new ModuleConfig(className, values);
  }

  /**
   * A new, unbuilt module of this class with these settings, made by the generated code of a
   * registered class (never by reflection).
   *
   * @throws ModuleConfigException if the class is not registered, has no {@code @Settings}
   *     constructor, or a setting is missing, of the wrong kind or refused by the constructor
   */
  public Module create() {
    String where = className.substring(className.lastIndexOf('.') + 1);
    SettingsReader in = new SettingsReader(settings, where);
    if (className.equals(SEQUENTIAL)) {
      List<Layer> layers = in.get("layers").asList(SettingValue::asLayer);
      String name = in.get("name").asString();
      in.requireAllRead();
      if (layers == null || layers.contains(null)) {
        throw new ModuleConfigException(where + ".layers: a Sequential needs a list of layers");
      }
      return new Sequential(name, new ArrayList<>(layers));
    }
    ModuleMeta<?> meta = Metas.findByName(className);
    if (meta == null) {
      throw new ModuleConfigException(
          where
              + ": "
              + className
              + " is not a registered module"
              + " class (no generated meta for it is on the classpath); add the jar that defines it,"
              + " compiled with the Sonnet annotation processor");
    }
    if (!meta.hasSettings()) {
      throw new ModuleConfigException(
          where
              + ": "
              + className
              + " has no @Settings"
              + " constructor, so it cannot be created from a configuration");
    }
    try {
      return meta.readSettings(in);
    } catch (IllegalArgumentException e) {
      throw new ModuleConfigException(where + ": the settings were refused: " + e.getMessage(), e);
    }
  }
}
