package dev.sonnet.module;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.InitializerDescriptions;
import dev.sonnet.nn.Pad;
import dev.sonnet.optimizers.LearningRate;
import dev.sonnet.optimizers.LearningRateDescriptions;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a setting's value into configuration data: {@code null}, {@code Boolean}, {@code Long},
 * {@code Double}, {@code String}, {@code List} and {@code Map<String, Object>} (an object), plus
 * {@link Tensor} leaves that a file stores as tensors. The closed set of setting types ({@code
 * Settings}) maps as follows:
 *
 * <ul>
 *   <li>integers to {@code Long}, floating point numbers to {@code Double} (finite only), enums to
 *       their {@code name()}, {@code int[]} and lists to lists;
 *   <li>a record to the object its generated writer made ({@link SettingsWriter});
 *   <li>an {@link Initializer} to {@code {"initializer": kind, ...}} when it is one of the
 *       library's ({@link InitializerDescriptions}); any other is an error;
 *   <li>a {@link LearningRate} to {@code {"learning_rate": kind, ...}} when it is one of the
 *       library's ({@link LearningRateDescriptions}); any other is an error;
 *   <li>a {@link Pad} to {@code {"pad": "SAME"}} or {@code {"pad": ["CAUSAL", ...]}};
 *   <li>a module to {@code {"module": class, "settings": {...}}} ({@link ModuleConfig}), a named
 *       library function ({@link Layers}) to {@code {"function": "relu"}}; any other function (a
 *       lambda, a method reference) is an error;
 *   <li>a tensor to {@code {"tensor": tensor}}.
 * </ul>
 */
final class SettingEncoding {
  static final String INITIALIZER = "initializer";
  static final String PAD = "pad";
  static final String MODULE = "module";
  static final String SETTINGS = "settings";
  static final String FUNCTION = "function";
  static final String TENSOR = "tensor";

  private SettingEncoding() {}

  static Object encode(Object value, String where) {
    return switch (value) {
      case null -> null;
      case Boolean b -> b;
      case String s -> s;
      case Integer i -> (long) i;
      case Long l -> l;
      case Double d -> finite(d, where);
      case Float f -> finite(f.doubleValue(), where);
      case Enum<?> e -> e.name();
      case int[] ints -> {
        List<Object> out = new ArrayList<>(ints.length);
        for (int i : ints) {
          out.add((long) i);
        }
        yield out;
      }
      case List<?> list -> {
        List<Object> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
          out.add(encode(list.get(i), where + "[" + i + "]"));
        }
        yield out;
      }
      case SettingsWriter record -> new LinkedHashMap<>(record.values());
      case Initializer init -> initializer(init, where);
      case LearningRate rate -> learningRate(rate, where);
      case Pad pad -> pad(pad);
      case Module module -> ModuleConfig.of(module, where).toTree();
      case Layer layer -> function(layer, where);
      case Tensor tensor -> Map.of(TENSOR, tensor);
      default ->
          throw new ModuleConfigException(
              where
                  + ": a "
                  + value.getClass().getName()
                  + " cannot be written as a setting; setting types are a closed set (see @Settings)");
    };
  }

  private static Double finite(double d, String where) {
    if (!Double.isFinite(d)) {
      throw new ModuleConfigException(
          where + " is " + d + ", which a configuration cannot" + " hold; use a finite value");
    }
    return d;
  }

  private static Object initializer(Initializer init, String where) {
    Map<String, Object> description = InitializerDescriptions.describe(init);
    if (description == null) {
      throw new ModuleConfigException(
          where
              + " is the initializer "
              + init
              + " ("
              + init.getClass().getName()
              + "), which is not one of the library's, so it cannot be"
              + " written out and read back. Use one of dev.sonnet.initializers.Initializers (or"
              + " VarianceScaling, Orthogonal, Identity, optionally .seeded(seed)), or leave the"
              + " setting at its default");
    }
    return description;
  }

  private static Object learningRate(LearningRate rate, String where) {
    Map<String, Object> description = LearningRateDescriptions.describe(rate);
    if (description == null) {
      throw new ModuleConfigException(
          where
              + " is the learning rate "
              + rate
              + " ("
              + rate.getClass().getName()
              + "), which is not one of the library's, so it cannot be written out and read back."
              + " Use LearningRate.constant, exponentialDecay, cosineDecay, piecewiseConstant or"
              + " of(variable), or a number");
    }
    return description;
  }

  private static Object pad(Pad pad) {
    if (pad.isString()) {
      return Map.of(PAD, pad.equals(Pad.SAME) ? "SAME" : "VALID");
    }
    List<Object> fns = new ArrayList<>();
    for (Pad.Fn fn : pad.functions()) {
      fns.add(fn.name());
    }
    return Map.of(PAD, fns);
  }

  private static Object function(Layer layer, String where) {
    String name = Layers.libraryName(layer);
    if (name == null) {
      throw new ModuleConfigException(
          where
              + " is the function "
              + layer
              + ", which is not a"
              + " module or a named library function, so it cannot be written out and read back."
              + " Use one of Layers.relu(), tanh(), sigmoid(), gelu(), identity(), or a module with"
              + " a @Settings constructor");
    }
    return Map.of(FUNCTION, name);
  }
}
