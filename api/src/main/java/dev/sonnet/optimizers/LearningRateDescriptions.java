package dev.sonnet.optimizers;

import dev.sonnet.module.ModuleConfigException;
import dev.sonnet.module.SettingsReader;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The library's learning rates as configuration data, so an optimizer can be written to a file and
 * read back: {@code {"learning_rate": "cosine_decay", "initial": 0.1, "decay_steps": 1000}}. As
 * with {@code InitializerDescriptions}, the set is closed on purpose: a user's schedule (a lambda,
 * a class of its own) has no description, so saving an optimizer configured with it fails, naming
 * the setting, instead of writing something that cannot be read back.
 *
 * <p>Kinds: {@code constant(rate)}, {@code exponential_decay(initial, decay_steps, decay_rate,
 * staircase)}, {@code cosine_decay(initial, decay_steps)}, {@code piecewise_constant(boundaries,
 * values)} and {@code variable(name, dtype, value)} for {@link LearningRate#of(Variable)}: its
 * current value, read back as a new non-trainable scalar variable of that name, dtype and value
 * (reach it through {@code optimizer.learningRate()}; the loaded optimizer does not follow the
 * variable it was saved with).
 */
public final class LearningRateDescriptions {
  private static final String KIND = "learning_rate";

  private LearningRateDescriptions() {}

  /** The description of {@code rate}, or null if it is not one of the library's learning rates. */
  public static Map<String, Object> describe(LearningRate rate) {
    Map<String, Object> d = new LinkedHashMap<>();
    switch (rate) {
      case LearningRate.Constant c -> {
        d.put(KIND, "constant");
        d.put("rate", c.rate());
      }
      case LearningRate.ExponentialDecay e -> {
        d.put(KIND, "exponential_decay");
        d.put("initial", e.initial());
        d.put("decay_steps", e.decaySteps());
        d.put("decay_rate", e.decayRate());
        d.put("staircase", e.staircase());
      }
      case LearningRate.CosineDecay c -> {
        d.put(KIND, "cosine_decay");
        d.put("initial", c.initial());
        d.put("decay_steps", c.decaySteps());
      }
      case LearningRate.PiecewiseConstant p -> {
        d.put(KIND, "piecewise_constant");
        List<Object> boundaries = new ArrayList<>();
        for (long b : p.boundaries()) {
          boundaries.add(b);
        }
        List<Object> values = new ArrayList<>();
        for (double v : p.values()) {
          if (!Double.isFinite(v)) {
            return null;
          }
          values.add(v);
        }
        d.put("boundaries", boundaries);
        d.put("values", values);
      }
      case LearningRate.FromVariable v -> {
        d.put(KIND, "variable");
        d.put("name", v.variable().name());
        d.put("dtype", v.variable().dtype().name());
        d.put("value", v.at(0));
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
   * The learning rate {@code in} describes.
   *
   * @throws ModuleConfigException if the kind is unknown or a parameter is missing, of the wrong
   *     kind, or refused by the schedule
   */
  public static LearningRate create(SettingsReader in) {
    String kind = in.get(KIND).asString();
    LearningRate rate;
    try {
      rate =
          switch (kind == null ? "" : kind) {
            case "constant" -> LearningRate.constant(in.get("rate").asDouble());
            case "exponential_decay" ->
                LearningRate.exponentialDecay(
                    in.get("initial").asDouble(),
                    in.get("decay_steps").asLong(),
                    in.get("decay_rate").asDouble(),
                    in.get("staircase").asBoolean());
            case "cosine_decay" ->
                LearningRate.cosineDecay(
                    in.get("initial").asDouble(), in.get("decay_steps").asLong());
            case "piecewise_constant" -> {
              List<Long> boundaries = in.get("boundaries").asList(e -> e.asLong());
              List<Double> values = in.get("values").asList(e -> e.asDouble());
              if (boundaries == null || values == null) {
                throw new ModuleConfigException(
                    in.where()
                        + ": a piecewise_constant learning rate needs boundaries and values");
              }
              yield LearningRate.piecewiseConstant(
                  boundaries.stream().mapToLong(Long::longValue).toArray(),
                  values.stream().mapToDouble(Double::doubleValue).toArray());
            }
            case "variable" -> {
              String name = in.get("name").asString();
              String dtypeName = in.get("dtype").asString();
              double value = in.get("value").asDouble();
              DType dtype;
              try {
                dtype = DType.valueOf(dtypeName == null ? "" : dtypeName);
              } catch (IllegalArgumentException e) {
                throw new ModuleConfigException(
                    in.where() + ".dtype: \"" + dtypeName + "\" is not a DType", e);
              }
              yield LearningRate.of(new Variable(name, Tensor.scalar(value).cast(dtype), false));
            }
            default ->
                throw new ModuleConfigException(
                    in.where()
                        + ": \""
                        + kind
                        + "\" is not a learning rate of the library (constant,"
                        + " exponential_decay, cosine_decay, piecewise_constant, variable)");
          };
    } catch (IllegalArgumentException e) {
      throw new ModuleConfigException(in.where() + ": " + e.getMessage(), e);
    }
    in.requireAllRead();
    return rate;
  }
}
