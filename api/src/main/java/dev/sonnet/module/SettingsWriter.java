package dev.sonnet.module;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects a module's settings as a configuration tree; the generated {@code <Class>_Meta} calls
 * {@link #put} once per {@code @Settings} constructor parameter, in order. Each value is turned
 * into plain data at once ({@link SettingEncoding}), so a setting that cannot be saved (a lambda)
 * fails here, naming itself.
 */
public final class SettingsWriter {
  private final String where;
  private final Map<String, Object> values = new LinkedHashMap<>();

  /** A writer for the settings found at {@code where}, e.g. {@code Linear} or a record's path. */
  public SettingsWriter(String where) {
    this.where = where;
  }

  /** Records setting {@code name}; see {@link SettingEncoding} for what a value may be. */
  public void put(String name, Object value) {
    values.put(name, SettingEncoding.encode(value, where + "." + name));
  }

  /** Where these settings are, for messages and for the writers of nested records. */
  public String where() {
    return where;
  }

  /** The settings written, in order. */
  public Map<String, Object> values() {
    return Collections.unmodifiableMap(values);
  }
}
