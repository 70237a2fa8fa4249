package dev.sonnet.module;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads back one object of a configuration tree (a module's settings or a record's components), for
 * the generated {@code <Class>_Meta}: {@link #get} each setting, then {@link #requireAllRead()}, so
 * a setting the class does not have is an error rather than silently dropped.
 */
public final class SettingsReader {
  private final Map<String, Object> values;
  private final String where;
  private final Set<String> read = new LinkedHashSet<>();

  SettingsReader(Map<String, Object> values, String where) {
    this.values = values;
    this.where = where;
  }

  /**
   * The setting {@code name}.
   *
   * @throws ModuleConfigException if the configuration has no such setting
   */
  public SettingValue get(String name) {
    String at = where + "." + name;
    if (!values.containsKey(name)) {
      throw new ModuleConfigException(
          at
              + ": the configuration has no value for this setting;"
              + " it has "
              + values.keySet()
              + ". Save the module again with this library version");
    }
    read.add(name);
    return new SettingValue(values.get(name), at);
  }

  /** Fails if the configuration holds a setting no {@link #get} asked for. */
  public void requireAllRead() {
    for (String key : values.keySet()) {
      if (!read.contains(key)) {
        throw new ModuleConfigException(
            where
                + "."
                + key
                + ": the class has no setting of this"
                + " name (its settings are "
                + read
                + "); the file was written for another version"
                + " of the class");
      }
    }
  }

  /** Where this object is in the configuration, e.g. {@code Sequential.layers[0]}. */
  public String where() {
    return where;
  }
}
