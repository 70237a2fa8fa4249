package dev.sonnet.conformance.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.checkpoint.CheckpointException;
import dev.sonnet.checkpoint.CheckpointFormatException;
import dev.sonnet.checkpoint.CheckpointMismatchException;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.ModuleCopies;
import dev.sonnet.checkpoint.ModuleFile;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.conformance.nn.ModuleGoldens;
import dev.sonnet.conformance.nn.ModuleGoldens.Golden;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.metrics.ExponentialMovingAverage;
import dev.sonnet.metrics.Mean;
import dev.sonnet.metrics.Metric;
import dev.sonnet.metrics.Sum;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleConfigException;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Linear;
import dev.sonnet.nn.Pad;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.optimizers.LearningRate;
import dev.sonnet.optimizers.Momentum;
import dev.sonnet.optimizers.Optimizer;
import dev.sonnet.optimizers.RMSProp;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-module files ({@link ModuleFile}) and deep copies ({@link ModuleCopies}): every public
 * module of {@code dev.sonnet.nn}, {@code dev.sonnet.nets} and {@code dev.sonnet.recurrent}
 * round-trips with the same class, repr, variables and output, every optimizer and metric continues
 * from its saved state, and a hostile file fails naming itself.
 */
class ModuleFileConformanceTest {
  @TempDir Path dir;

  /**
   * Every public module class, built from its first golden, saved, loaded and deep-copied. A class
   * that cannot (no {@code @Settings} constructor yet) is listed with the reason.
   */
  @Test
  void coverage_everyPublicModuleRoundTrips() throws Exception {
    Map<Class<?>, Golden> firstGolden = new LinkedHashMap<>();
    for (Golden g : ModuleGoldens.all()) {
      firstGolden.putIfAbsent(g.type(), g);
    }
    Map<String, String> failures = new TreeMap<>();
    int classes = 0;
    for (String pkg : List.of("dev.sonnet.nn", "dev.sonnet.nets", "dev.sonnet.recurrent")) {
      for (Class<?> c : ModuleGoldens.publicModules(pkg)) {
        classes++;
        Golden g = firstGolden.get(c);
        if (g == null) {
          failures.put(c.getName(), "no golden to build it from");
          continue;
        }
        try {
          roundTrip(g);
        } catch (ModuleConfigException e) {
          failures.put(
              c.getName(),
              e.getMessage().contains("has no @Settings constructor")
                  ? "no @Settings constructor yet"
                  : e.getMessage());
        } catch (Exception | AssertionError e) {
          failures.put(
              c.getName(),
              e.getClass().getSimpleName()
                  + ": "
                  + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
      }
    }
    assertThat(classes).isGreaterThan(20);
    assertThat(failures)
        .as(
            "public modules that do not round-trip through ModuleFile and"
                + " ModuleCopies (class -> why)")
        .isEmpty();
  }

  /**
   * Every public optimizer class, configured away from its defaults with a library schedule, its
   * slots built by one apply on a small Linear's variables, saved, loaded and deep-copied; a second
   * apply with the same updates leaves the original and each copy (on its own copy of the Linear)
   * with the same variables. A new optimizer class fails here until it has an instance below.
   */
  @Test
  void coverage_everyOptimizerRoundTrips() throws Exception {
    Map<Class<?>, Supplier<Optimizer>> instances =
        Map.of(
            SGD.class,
            () -> new SGD(LearningRate.exponentialDecay(0.1, 2, 0.5, true), "plain"),
            Momentum.class,
            () ->
                Momentum.builder(LearningRate.cosineDecay(0.1, 10), 0.9)
                    .useNesterov(true)
                    .name("nesterov")
                    .build(),
            Adam.class,
            () ->
                Adam.builder()
                    .learningRate(
                        LearningRate.piecewiseConstant(new long[] {1}, new double[] {0.01, 0.002}))
                    .beta1(0.8)
                    .epsilon(1e-3)
                    .build(),
            RMSProp.class,
            () -> RMSProp.builder(0.01).momentum(0.5).centered(true).build());
    Map<String, String> failures = new TreeMap<>();
    List<Class<?>> found = ModuleGoldens.publicModules("dev.sonnet.optimizers");
    for (Class<?> c : found) {
      Supplier<Optimizer> make = instances.get(c);
      if (make == null) {
        failures.put(c.getName(), "no instance to build it from: add one to this test");
        continue;
      }
      try {
        optimizerRoundTrip(make);
      } catch (Exception | AssertionError e) {
        failures.put(c.getName(), firstLine(e));
      }
    }
    assertThat(found).hasSize(instances.size());
    assertThat(failures)
        .as("optimizers that do not round-trip through ModuleFile and ModuleCopies (class -> why)")
        .isEmpty();
  }

  private void optimizerRoundTrip(Supplier<Optimizer> make) {
    Linear linear =
        Linear.builder(3).wInit(Initializers.randomNormal(0, 1).seeded(7)).name("lin").build();
    linear.call(Tensor.ones(DType.FLOAT32, 2, 4));
    List<Variable> params = linear.trainableVariables();
    Optimizer original = make.get();
    original.apply(updates(params, 0.3), params);
    Path file = dir.resolve(original.name() + ".safetensors");
    ModuleFile.save(original, file);
    List<Optimizer> copies =
        List.of((Optimizer) ModuleFile.load(file), ModuleCopies.deepCopy(original));
    List<Linear> linears = List.of(ModuleCopies.deepCopy(linear), ModuleCopies.deepCopy(linear));
    for (Linear l : linears) {
      l.call(Tensor.ones(DType.FLOAT32, 2, 4)); // a copy restores its variables on its first call
    }
    List<Tensor> second = updates(params, -0.7);
    original.apply(second, params);
    for (int i = 0; i < copies.size(); i++) {
      Optimizer again = copies.get(i);
      assertThat(again).isNotSameAs(original);
      assertThat(again.getClass()).isEqualTo(original.getClass());
      assertThat(again.toString()).isEqualTo(original.toString());
      assertThat(again.learningRate()).isEqualTo(original.learningRate());
      List<Variable> theirs = linears.get(i).trainableVariables();
      again.apply(second, theirs);
      assertThat(values(again)).isEqualTo(values(original));
      assertThat(values(linears.get(i))).isEqualTo(values(linear));
    }
  }

  /** Updates shaped like {@code params}, different in every element. */
  private static List<Tensor> updates(List<Variable> params, double scale) {
    List<Tensor> out = new ArrayList<>();
    for (Variable p : params) {
      out.add(p.read().mul(scale).add(0.05));
    }
    return out;
  }

  /**
   * Every public metric class, updated once, saved, loaded and deep-copied; a second update with
   * the same value gives the original and each copy the same result. A new metric class fails here
   * until it has an instance below.
   */
  @Test
  void coverage_everyMetricRoundTrips() throws Exception {
    Map<Class<?>, Supplier<Metric>> instances =
        Map.of(
            Sum.class, () -> new Sum("total"),
            Mean.class, Mean::new,
            ExponentialMovingAverage.class, () -> new ExponentialMovingAverage(0.8));
    Map<String, String> failures = new TreeMap<>();
    List<Class<?>> found = ModuleGoldens.publicModules("dev.sonnet.metrics");
    for (Class<?> c : found) {
      Supplier<Metric> make = instances.get(c);
      if (make == null) {
        failures.put(c.getName(), "no instance to build it from: add one to this test");
        continue;
      }
      try {
        metricRoundTrip(make);
      } catch (Exception | AssertionError e) {
        failures.put(c.getName(), firstLine(e));
      }
    }
    assertThat(found).hasSize(instances.size());
    assertThat(failures)
        .as("metrics that do not round-trip through ModuleFile and ModuleCopies (class -> why)")
        .isEmpty();
  }

  private void metricRoundTrip(Supplier<Metric> make) {
    Metric original = make.get();
    original.update(Tensor.of(new float[] {1, 2, 3}, 3));
    Path file = dir.resolve(original.name() + ".safetensors");
    ModuleFile.save(original, file);
    List<Metric> copies = List.of((Metric) ModuleFile.load(file), ModuleCopies.deepCopy(original));
    Tensor next = Tensor.of(new float[] {-4, 0.5f, 8}, 3);
    original.update(next);
    for (Metric again : copies) {
      assertThat(again).isNotSameAs(original);
      assertThat(again.getClass()).isEqualTo(original.getClass());
      assertThat(again.toString()).isEqualTo(original.toString());
      again.update(next);
      assertThat(again.value().toFloatArray()).containsExactly(original.value().toFloatArray());
      assertThat(values(again)).isEqualTo(values(original));
    }
  }

  private static String firstLine(Throwable e) {
    return e.getClass().getSimpleName()
        + ": "
        + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
  }

  @Test
  void aLearningRateOfTheUsersOwn_failsNamingTheSetting() {
    SGD sgd = new SGD(step -> step < 10 ? 0.1 : 0.01);
    assertThatThrownBy(() -> ModuleFile.save(sgd, dir.resolve("sgd.safetensors")))
        .isInstanceOf(ModuleConfigException.class)
        .hasMessageContaining("SGD.learningRate")
        .hasMessageContaining("not one of the library's");
  }

  @Test
  void aVariableLearningRate_copiesItsCurrentValueIntoANewVariable() {
    Variable lr = new Variable("lr", Tensor.scalar(0.25f), false);
    SGD sgd = new SGD(LearningRate.of(lr));
    SGD copy = ModuleCopies.deepCopy(sgd);
    lr.assign(Tensor.scalar(0.5f));

    assertThat(copy.learningRate()).isInstanceOf(LearningRate.FromVariable.class);
    Variable copied = ((LearningRate.FromVariable) copy.learningRate()).variable();
    assertThat(copied).isNotSameAs(lr);
    assertThat(copied.name()).isEqualTo("lr");
    assertThat(copied.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(copy.learningRate().at(0)).isEqualTo(0.25);
  }

  /**
   * Builds the golden's module with one call, saves and deep-copies it, then calls the original
   * again and each copy for the first time. A module whose call updates its variables (a moving
   * average, an EMA codebook) must continue from the saved state exactly as the original does: the
   * copy's first output is the original's second. A module whose randomness lives outside its
   * variables (dropout's seeded generator) starts again from its seed, as a fresh module does: the
   * copy's first output is the original's first.
   */
  private void roundTrip(Golden g) {
    Module original = g.create().get();
    Tensor x = ModuleGoldens.input(g.dtype(), g.shape());
    float[] first = g.forward().apply(original, x).toFloatArray();
    Path file = dir.resolve(g.name() + ".safetensors");
    ModuleFile.save(original, file);
    List<Module> copies = List.of(ModuleFile.load(file), ModuleCopies.deepCopy(original));
    Map<String, List<Float>> saved = values(original);
    float[] second = g.forward().apply(original, x).toFloatArray();
    boolean stateful = !values(original).equals(saved);
    float[] expected = stateful ? second : first;
    for (Module again : copies) {
      assertThat(again).isNotSameAs(original);
      assertThat(again.getClass()).isEqualTo(original.getClass());
      assertThat(again.toString()).isEqualTo(original.toString());
      float[] actual = g.forward().apply(again, x).toFloatArray();
      assertThat(actual).as("output of %s", g.name()).containsExactly(expected);
      assertThat(values(again)).isEqualTo(values(original));
      for (int i = 0; i < again.variables().size(); i++) {
        assertThat(again.variables().get(i)).isNotSameAs(original.variables().get(i));
      }
    }
  }

  private static Map<String, List<Float>> values(Module m) {
    Map<String, List<Float>> out = new LinkedHashMap<>();
    for (Variable v : m.variables()) {
      List<Float> vs = new ArrayList<>();
      for (float f : v.read().cast(DType.FLOAT32).toFloatArray()) {
        vs.add(f);
      }
      out.put(v.name() + " " + v.dtype() + v.shape(), vs);
    }
    return out;
  }

  @Test
  void sequentialOfModulesAndLibraryFunctions_roundTrips() {
    Sequential model =
        Sequential.of(
            Linear.builder(4).wInit(Initializers.randomNormal(0, 0.5).seeded(3)).build(),
            Layers.relu(),
            Linear.builder(2).bInit(Initializers.constant(0.25)).name("head").build(),
            Layers.tanh());
    Tensor x = Tensor.of(new float[] {1, -2, 3, 0.5f, 0, -1}, 2, 3);
    float[] expected = model.call(x).toFloatArray();
    Path file = dir.resolve("seq.safetensors");
    ModuleFile.save(model, file);

    Sequential loaded = ModuleFile.load(file, Sequential.class);
    assertThat(loaded.toString()).isEqualTo(model.toString());
    assertThat(loaded.layers().get(1)).isSameAs(Layers.relu());
    assertThat(loaded.call(x).toFloatArray()).containsExactly(expected);
    assertThat(values(loaded)).isEqualTo(values(model));

    Sequential copy = ModuleCopies.deepCopy(model);
    assertThat(copy.call(x).toFloatArray()).containsExactly(expected);
    ((Linear) model.layers().get(0)).w().assign(Tensor.zeros(DType.FLOAT32, 3, 4));
    assertThat(copy.call(x).toFloatArray())
        .as("the copy has its own variables")
        .containsExactly(expected);
  }

  @Test
  void aConvWithPadFunctionsAndSettings_roundTrips() {
    Conv2D conv =
        Conv2D.builder(3, 2, 3)
            .stride(1, 2)
            .padding(Pad.of(Pad.Fn.CAUSAL, Pad.Fn.FULL))
            .withBias(false)
            .build();
    Tensor x = ModuleGoldens.input(DType.FLOAT32, new int[] {2, 5, 6, 2});
    float[] expected = conv.call(x).toFloatArray();
    Path file = dir.resolve("conv.safetensors");
    ModuleFile.save(conv, file);
    Conv2D loaded = ModuleFile.load(file, Conv2D.class);
    assertThat(loaded.toString()).isEqualTo(conv.toString());
    assertThat(loaded.call(x).toFloatArray()).containsExactly(expected);
  }

  @Test
  void aLambdaInASequential_failsNamingWhereItIs() {
    Sequential model = Sequential.of(new Linear(2), x -> x.mul(2));
    assertThatThrownBy(() -> ModuleFile.save(model, dir.resolve("m.safetensors")))
        .isInstanceOf(ModuleConfigException.class)
        .hasMessageContaining("m.safetensors")
        .hasMessageContaining("Sequential.layers[1]")
        .hasMessageContaining("Layers.relu()");
    assertThat(dir.resolve("m.safetensors")).doesNotExist();
  }

  @Test
  void anInitializerOfTheUsersOwn_failsNamingTheSetting() {
    Linear linear =
        Linear.builder(2).wInit((shape, dtype, rng) -> Tensor.zeros(dtype, shape)).build();
    assertThatThrownBy(() -> ModuleCopies.deepCopy(linear))
        .isInstanceOf(ModuleConfigException.class)
        .hasMessageContaining("Linear.wInit")
        .hasMessageContaining("not one of the library's");
  }

  @Test
  void aModuleWithoutSettings_failsNamingTheClassAndTheFix() {
    Module plain = new PlainModule();
    assertThatThrownBy(() -> ModuleCopies.deepCopy(plain))
        .isInstanceOf(ModuleConfigException.class)
        .hasMessageContaining(PlainModule.class.getName())
        .hasMessageContaining("@Settings");
  }

  /** A module with a plain constructor, as a user might write. */
  public static final class PlainModule extends Module {}

  // ---- hostile files -------------------------------------------------------------------------

  private Path fileWithConfig(String name, String json) {
    Path file = dir.resolve(name);
    SafeTensors.write(file, Map.of(), Map.of(ModuleFile.METADATA_KEY, json));
    return file;
  }

  @Test
  void hostileFiles_failNamingTheFile() {
    String linear =
        "{\"module\":\"dev.sonnet.nn.Linear\",\"settings\":{\"outputSize\":2,"
            + "\"withBias\":true,\"wInit\":null,\"bInit\":null,\"name\":null}}";
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("badjson", "{\"format_version\":1,\"path\":\"linear\",\"module\":{");
    cases.put("unknownclass", doc(linear.replace("dev.sonnet.nn.Linear", "java.lang.Runtime")));
    cases.put("badsetting", doc(linear.replace("\"outputSize\":2", "\"outputSize\":-2")));
    cases.put("wrongkind", doc(linear.replace("\"outputSize\":2", "\"outputSize\":\"two\"")));
    cases.put("extrasetting", doc(linear.replace("\"name\":null", "\"name\":null,\"x\":1")));
    cases.put("badversion", doc(linear).replace("\"format_version\":1", "\"format_version\":9"));
    cases.put("deep", doc("[".repeat(200) + "]".repeat(200)));
    cases.put(
        "huge", doc(linear.replace("null}}", "null,\"pad\":\"" + "x".repeat(5 << 20) + "\"}}")));
    cases.put(
        "hugeint",
        doc(linear.replace("\"outputSize\":2", "\"outputSize\":99999999999999999999999")));
    cases.put(
        "layerbyname",
        doc(
            "{\"module\":\"dev.sonnet.module.Sequential\",\"settings\":"
                + "{\"layers\":[{\"function\":\"exit\"}],\"name\":null}}"));
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Path file = fileWithConfig(c.getKey() + ".safetensors", c.getValue());
      assertThatThrownBy(() -> ModuleFile.load(file))
          .as(c.getKey())
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining(file.toString());
    }
  }

  @Test
  void aPlainCheckpoint_isNotAModuleFile() {
    Path file = dir.resolve("plain.safetensors");
    SafeTensors.write(
        file, Map.of("w", HostArray.of(new float[] {1}, dev.sonnet.tensor.Shape.of(1))), Map.of());
    assertThatThrownBy(() -> ModuleFile.load(file))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("Checkpoint.of(module).restore");
  }

  @Test
  void wrongShapesInTheFile_failTheFirstCallAndRestoreNothing() throws Exception {
    Linear linear = new Linear(2);
    linear.call(Tensor.ones(DType.FLOAT32, 1, 3));
    Path file = dir.resolve("linear.safetensors");
    ModuleFile.save(linear, file);
    String json;
    try (var f = dev.sonnet.checkpoint.SafeTensorsFile.open(file)) {
      json = f.metadata().get(ModuleFile.METADATA_KEY);
    }
    Path lying = dir.resolve("lying.safetensors");
    SafeTensors.write(
        lying,
        Map.of(
            "linear/w", HostArray.of(new float[] {1, 2, 3, 4}, dev.sonnet.tensor.Shape.of(2, 2)),
            "linear/b", HostArray.of(new float[] {5, 6}, dev.sonnet.tensor.Shape.of(2))),
        Map.of(ModuleFile.METADATA_KEY, json));
    Linear loaded = ModuleFile.load(lying, Linear.class);
    assertThatThrownBy(() -> loaded.call(Tensor.ones(DType.FLOAT32, 1, 3)))
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining(lying.toString());
    assertThat(loaded.b().read().toFloatArray()).as("no value from the file").containsExactly(0, 0);
    assertThat(Files.exists(file)).isTrue();
  }

  private static String doc(String module) {
    return "{\"format_version\":1,\"path\":\"linear\",\"module\":" + module + "}";
  }
}
