package dev.sonnet.initializers;

import dev.sonnet.module.ModuleConfigException;
import dev.sonnet.module.SettingsReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The library's initializers as configuration data, so a module setting holding one can be written
 * to a file and read back: {@code {"initializer": "truncated_normal", "mean": 0.0, "stddev": 0.1}}.
 * The set is closed on purpose: a user's initializer (a lambda, a class of its own) has no
 * description, so saving a module configured with it fails, naming the setting, instead of writing
 * something that cannot be read back.
 *
 * <p>Kinds: {@code zeros}, {@code ones}, {@code constant(value)}, {@code random_uniform(min, max)},
 * {@code random_normal(mean, stddev)}, {@code truncated_normal(mean, stddev)}, {@code
 * identity(gain)}, {@code orthogonal(gain)}, {@code variance_scaling(scale, mode, distribution)}
 * (enum names) and {@code seeded(inner, seed)} for {@link Initializer#seeded(long)}.
 */
public final class InitializerDescriptions {
  private static final String KIND = "initializer";

  private InitializerDescriptions() {}

  /** The description of {@code init}, or null if it is not one of the library's initializers. */
  public static Map<String, Object> describe(Initializer init) {
    Map<String, Object> d = new LinkedHashMap<>();
    switch (init) {
      case Initializers.Zeros z -> d.put(KIND, "zeros");
      case Initializers.Ones o -> d.put(KIND, "ones");
      case Initializers.Constant c -> {
        d.put(KIND, "constant");
        d.put("value", c.value());
      }
      case Initializers.RandomUniform u -> {
        d.put(KIND, "random_uniform");
        d.put("min", u.min());
        d.put("max", u.max());
      }
      case Initializers.RandomNormal n -> {
        d.put(KIND, "random_normal");
        d.put("mean", n.mean());
        d.put("stddev", n.stddev());
      }
      case Initializers.TruncatedNormal n -> {
        d.put(KIND, "truncated_normal");
        d.put("mean", n.mean());
        d.put("stddev", n.stddev());
      }
      case Identity i -> {
        d.put(KIND, "identity");
        d.put("gain", i.gain());
      }
      case Orthogonal o -> {
        d.put(KIND, "orthogonal");
        d.put("gain", o.gain());
      }
      case VarianceScaling v -> {
        d.put(KIND, "variance_scaling");
        d.put("scale", v.scale());
        d.put("mode", v.mode().name());
        d.put("distribution", v.distribution().name());
      }
      case Initializers.Seeded s -> {
        Map<String, Object> inner = describe(s.inner());
        if (inner == null) {
          return null;
        }
        d.put(KIND, "seeded");
        d.put("inner", inner);
        d.put("seed", s.seed());
      }
      case null, default -> {
        return null;
      }
    }
    for (Object v : d.values()) {
      if (v instanceof Double x && !Double.isFinite(x)) {
        return null;
      }
    }
    return d;
  }

  /**
   * The initializer {@code in} describes.
   *
   * @throws ModuleConfigException if the kind is unknown or a parameter is missing, of the wrong
   *     kind, or refused by the initializer
   */
  public static Initializer create(SettingsReader in) {
    String kind = in.get(KIND).asString();
    Initializer init;
    try {
      init =
          switch (kind == null ? "" : kind) {
            case "zeros" -> Initializers.zeros();
            case "ones" -> Initializers.ones();
            case "constant" -> Initializers.constant(in.get("value").asDouble());
            case "random_uniform" ->
                Initializers.randomUniform(in.get("min").asDouble(), in.get("max").asDouble());
            case "random_normal" ->
                Initializers.randomNormal(in.get("mean").asDouble(), in.get("stddev").asDouble());
            case "truncated_normal" ->
                Initializers.truncatedNormal(
                    in.get("mean").asDouble(), in.get("stddev").asDouble());
            case "identity" -> new Identity(in.get("gain").asDouble());
            case "orthogonal" -> new Orthogonal(in.get("gain").asDouble());
            case "variance_scaling" ->
                new VarianceScaling(
                    in.get("scale").asDouble(),
                    in.get("mode").asEnum(VarianceScaling.Mode.values()),
                    in.get("distribution").asEnum(VarianceScaling.Distribution.values()));
            case "seeded" -> {
              var inner = in.get("inner").asRecord();
              if (inner == null) {
                throw new ModuleConfigException(
                    in.where()
                        + ".inner: a seeded initializer needs"
                        + " the initializer it seeds");
              }
              yield create(inner).seeded(in.get("seed").asLong());
            }
            default ->
                throw new ModuleConfigException(
                    in.where()
                        + ": \""
                        + kind
                        + "\" is not an"
                        + " initializer of the library (zeros, ones, constant, random_uniform,"
                        + " random_normal, truncated_normal, identity, orthogonal, variance_scaling,"
                        + " seeded)");
          };
    } catch (IllegalArgumentException e) {
      throw new ModuleConfigException(in.where() + ": " + e.getMessage(), e);
    }
    in.requireAllRead();
    return init;
  }
}
