package dev.sonnet.module;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.InitializerDescriptions;
import dev.sonnet.nn.Pad;
import dev.sonnet.optimizers.LearningRate;
import dev.sonnet.optimizers.LearningRateDescriptions;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One value of a configuration tree, read back as the type its setting has; the generated {@code
 * <Class>_Meta} picks the method from the {@code @Settings} constructor's parameter type. The tree
 * came from a file, so every method checks the kind and range of what it finds and throws a {@link
 * ModuleConfigException} naming the setting ({@link #where()}) otherwise. Reference types accept
 * {@code null}; primitives do not.
 */
public final class SettingValue {
  private final Object raw;
  private final String where;

  SettingValue(Object raw, String where) {
    this.raw = raw;
    this.where = where;
  }

  /** Where the value is, e.g. {@code Linear.outputSize}. */
  public String where() {
    return where;
  }

  /** Whether the value is {@code null}. */
  public boolean isNull() {
    return raw == null;
  }

  public int asInt() {
    long v = asLong();
    if (v != (int) v) {
      throw wrong("an int", raw);
    }
    return (int) v;
  }

  public long asLong() {
    if (raw instanceof Long l) {
      return l;
    }
    throw wrong("an integer", raw);
  }

  public double asDouble() {
    return switch (raw) {
      case Double d -> d;
      case Long l -> (double) l;
      case null, default -> throw wrong("a number", raw);
    };
  }

  public float asFloat() {
    return (float) asDouble();
  }

  public boolean asBoolean() {
    if (raw instanceof Boolean b) {
      return b;
    }
    throw wrong("true or false", raw);
  }

  public Integer asNullableInt() {
    return raw == null ? null : asInt();
  }

  public Long asNullableLong() {
    return raw == null ? null : asLong();
  }

  public Double asNullableDouble() {
    return raw == null ? null : asDouble();
  }

  public Float asNullableFloat() {
    return raw == null ? null : asFloat();
  }

  public Boolean asNullableBoolean() {
    return raw == null ? null : asBoolean();
  }

  public String asString() {
    if (raw == null || raw instanceof String) {
      return (String) raw;
    }
    throw wrong("a string", raw);
  }

  /** The constant of {@code values} (an enum's {@code values()}) whose name the value is. */
  public <E extends Enum<E>> E asEnum(E[] values) {
    String name = asString();
    if (name == null) {
      return null;
    }
    for (E e : values) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    throw new ModuleConfigException(
        where + ": \"" + name + "\" is not one of " + Arrays.toString(values));
  }

  public int[] asIntArray() {
    List<SettingValue> items = items();
    if (items == null) {
      return null;
    }
    int[] out = new int[items.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = items.get(i).asInt();
    }
    return out;
  }

  /** A list whose elements {@code element} reads. */
  public <T> List<T> asList(Function<SettingValue, T> element) {
    List<SettingValue> items = items();
    if (items == null) {
      return null;
    }
    List<T> out = new ArrayList<>(items.size());
    for (SettingValue item : items) {
      out.add(element.apply(item));
    }
    return out;
  }

  /** A record's components, or null. */
  public SettingsReader asRecord() {
    Map<String, Object> object = object();
    return object == null ? null : new SettingsReader(object, where);
  }

  public Initializer asInitializer() {
    Map<String, Object> object = object();
    return object == null
        ? null
        : InitializerDescriptions.create(new SettingsReader(object, where));
  }

  /** A learning rate or schedule of the library ({@link LearningRateDescriptions}). */
  public LearningRate asLearningRate() {
    Map<String, Object> object = object();
    return object == null
        ? null
        : LearningRateDescriptions.create(new SettingsReader(object, where));
  }

  public Pad asPad() {
    Map<String, Object> object = object();
    if (object == null) {
      return null;
    }
    SettingsReader in = new SettingsReader(object, where);
    SettingValue v = in.get(SettingEncoding.PAD);
    in.requireAllRead();
    if (v.raw instanceof String s) {
      return switch (s) {
        case "SAME" -> Pad.SAME;
        case "VALID" -> Pad.VALID;
        default ->
            throw new ModuleConfigException(
                v.where + ": \"" + s + "\" is not SAME or" + " VALID (or a list of Pad.Fn names)");
      };
    }
    List<Pad.Fn> fns = v.asList(e -> e.asEnum(Pad.Fn.values()));
    if (fns == null || fns.isEmpty() || fns.contains(null)) {
      throw wrong("SAME, VALID or a list of Pad.Fn names", v.raw);
    }
    return Pad.of(fns.toArray(Pad.Fn[]::new));
  }

  /** A module (its configuration) or a named library function. */
  public Layer asLayer() {
    Map<String, Object> object = object();
    if (object == null) {
      return null;
    }
    if (object.containsKey(SettingEncoding.FUNCTION)) {
      SettingsReader in = new SettingsReader(object, where);
      String name = in.get(SettingEncoding.FUNCTION).asString();
      in.requireAllRead();
      Layer layer = name == null ? null : Layers.byLibraryName(name);
      if (layer == null) {
        throw new ModuleConfigException(
            where
                + ": \""
                + name
                + "\" is not a library function;"
                + " the library's are "
                + Layers.libraryNames());
      }
      return layer;
    }
    Module module = ModuleConfig.fromTree(object, where).create();
    if (!(module instanceof Layer layer)) {
      throw new ModuleConfigException(
          where
              + ": "
              + module.getClass().getName()
              + " is not a"
              + " Layer (a module with call(Tensor)), so it cannot serve here");
    }
    return layer;
  }

  /** A module (its configuration). */
  public Module asModule() {
    Map<String, Object> object = object();
    return object == null ? null : ModuleConfig.fromTree(object, where).create();
  }

  /** A module (its configuration) that must be a {@code type}, such as a recurrent core. */
  public <M> M asModule(Class<M> type) {
    Module module = asModule();
    if (module != null && !type.isInstance(module)) {
      throw new ModuleConfigException(
          where
              + ": "
              + module.getClass().getName()
              + " is not a "
              + type.getSimpleName()
              + ", so it cannot serve here");
    }
    return type.cast(module);
  }

  public Tensor asTensor() {
    Map<String, Object> object = object();
    if (object == null) {
      return null;
    }
    if (object.size() == 1 && object.get(SettingEncoding.TENSOR) instanceof Tensor t) {
      return t;
    }
    throw wrong("a tensor", raw);
  }

  private List<SettingValue> items() {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof List<?> list)) {
      throw wrong("a list", raw);
    }
    List<SettingValue> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(new SettingValue(list.get(i), where + "[" + i + "]"));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> object() {
    if (raw == null) {
      return null;
    }
    if (raw instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw wrong("an object", raw);
  }

  private ModuleConfigException wrong(String expected, Object found) {
    return new ModuleConfigException(
        where + ": expected " + expected + ", found " + describe(found));
  }

  private static String describe(Object v) {
    return switch (v) {
      case null -> "null";
      case String s -> "the string \"" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "\"";
      case List<?> l -> "a list of " + l.size();
      case Map<?, ?> m -> "an object with keys " + m.keySet();
      default -> v.toString();
    };
  }
}
